/**
 * create-plugin's webpack config (in .config/, left as scaffolded) with what this repository
 * needs on top: the nested plugins' logos, which the scaffolded config copies only for the app's
 * own plugin.json; and no ESLint step in watch builds, since ESLint is not part of this
 * repository's toolchain (tsc and the tests are).
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import ESLintPlugin from 'eslint-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []).filter((plugin) => !(plugin instanceof ESLintPlugin)),
      new CopyWebpackPlugin({ patterns: [{ from: '*/**/img/*.svg', to: '[path][name][ext]' }] }),
    ],
  };
};

export default config;
