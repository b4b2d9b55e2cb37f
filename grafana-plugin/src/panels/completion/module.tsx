import { FieldConfigProperty, PanelPlugin, ThresholdsMode } from '@grafana/data';
import { addStateColorOptions } from '../../shared/palette';
import { CompletionPanel } from './CompletionPanel';
import { DEFAULT_COMPLETION_OPTIONS as D, DEFAULT_THRESHOLD_STEPS, type CompletionOptions } from './options';

export const plugin = new PanelPlugin<CompletionOptions>(CompletionPanel)
  .setNoPadding()
  .useFieldConfig({
    // Only the thresholds mean something here: they colour the cells in thresholds mode.
    standardOptions: {
      [FieldConfigProperty.Thresholds]: { defaultValue: { mode: ThresholdsMode.Absolute, steps: DEFAULT_THRESHOLD_STEPS } },
    },
    disableStandardOptions: [
      FieldConfigProperty.Unit,
      FieldConfigProperty.Min,
      FieldConfigProperty.Max,
      FieldConfigProperty.Decimals,
      FieldConfigProperty.DisplayName,
      FieldConfigProperty.Color,
      FieldConfigProperty.NoValue,
      FieldConfigProperty.Links,
      FieldConfigProperty.Mappings,
      FieldConfigProperty.Actions,
    ],
  })
  .setPanelOptions((builder) =>
    addStateColorOptions(
    builder
      .addRadio({
        path: 'sortBy',
        name: 'Sort by',
        description: 'Also switchable in the panel: click the header above the labels.',
        defaultValue: D.sortBy,
        settings: {
          options: [
            { value: 'name', label: 'Name' },
            { value: 'availability', label: 'Lowest total' },
          ],
        },
      })
      .addBooleanSwitch({ path: 'groupByStation', name: 'Group by station', defaultValue: D.groupByStation })
      .addSliderInput({ path: 'rowHeight', name: 'Row height', defaultValue: D.rowHeight, settings: { min: 4, max: 40, step: 1 } })
      .addRadio({
        path: 'colorMode',
        name: 'Colours',
        description: 'Thresholds: set the steps under Thresholds. Gradient: red to green between the two percents below.',
        defaultValue: D.colorMode,
        settings: {
          options: [
            { value: 'thresholds', label: 'Thresholds' },
            { value: 'gradient', label: 'Gradient' },
          ],
        },
      })
      .addNumberInput({ path: 'gradientMin', name: 'Gradient: red at (%)', defaultValue: D.gradientMin, settings: { min: 0, max: 100 }, showIf: (o) => o.colorMode === 'gradient' })
      .addNumberInput({ path: 'gradientMax', name: 'Gradient: green at (%)', defaultValue: D.gradientMax, settings: { min: 0, max: 100 }, showIf: (o) => o.colorMode === 'gradient' })
      .addBooleanSwitch({ path: 'showTotals', name: 'Row and column totals', defaultValue: D.showTotals })
      .addRadio({
        path: 'axisLabels',
        name: 'Axis labels',
        description: 'Dates fall on month starts, Mondays or days, as room allows; days of the year read 2024.061.',
        defaultValue: D.axisLabels,
        settings: {
          options: [
            { value: 'date', label: 'Dates' },
            { value: 'dayOfYear', label: 'Day of year' },
          ],
        },
      }),
    ['not_expected', 'pending', 'overlap']
  )
);
