import { PanelPlugin } from '@grafana/data';
import { addStateColorOptions } from '../../shared/palette';
import { COLOR_KEY_NAMES } from '../../shared/states';
import { DEFAULT_TIMELINE_OPTIONS as D, type TimelineOptions } from './options';
import { TimelinePanel } from './TimelinePanel';

export const plugin = new PanelPlugin<TimelineOptions>(TimelinePanel).setNoPadding().setPanelOptions((builder) =>
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
          { value: 'availability', label: 'Lowest availability' },
          { value: 'longestGap', label: 'Longest gap' },
        ],
      },
    })
    .addBooleanSwitch({ path: 'groupByStation', name: 'Group by network and station', description: 'Headers collapse when clicked.', defaultValue: D.groupByStation })
    .addSliderInput({ path: 'rowHeight', name: 'Row height', defaultValue: D.rowHeight, settings: { min: 8, max: 48, step: 1 } })
    .addBooleanSwitch({ path: 'colorGapsByLength', name: 'Colour gaps by length', category: ['Gaps'], defaultValue: D.colorGapsByLength })
    .addNumberInput({
      path: 'shortGapSeconds',
      name: 'Short gap below (s)',
      category: ['Gaps'],
      defaultValue: D.shortGapSeconds,
      settings: { min: 0 },
      showIf: (options) => options.colorGapsByLength,
    })
    .addNumberInput({
      path: 'longGapSeconds',
      name: 'Long gap from (s)',
      category: ['Gaps'],
      defaultValue: D.longGapSeconds,
      settings: { min: 0 },
      showIf: (options) => options.colorGapsByLength,
    })
    .addBooleanSwitch({ path: 'showLegend', name: 'Legend', defaultValue: D.showLegend })
    .addTextInput({
      path: 'rowLink',
      name: 'Row link',
      description: 'Opened by clicking a channel label. ${__row.channel}, ${__row.network}, ${__row.station}, ${__row.location}, ${__row.code}, dashboard variables, ${__from} and ${__to} are filled in.',
      defaultValue: D.rowLink,
      settings: { placeholder: '/d/lacuna-channel?var-channel=${__row.channel}&from=${__from}&to=${__to}' },
    }),
    COLOR_KEY_NAMES
  )
);
