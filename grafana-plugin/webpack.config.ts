/**
 * create-plugin's webpack config (in .config/, left as scaffolded) plus what nested plugins need:
 * their logos, which the scaffolded config copies only for the app's own plugin.json.
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [...(base.plugins ?? []), new CopyWebpackPlugin({ patterns: [{ from: '*/**/img/*.svg', to: '[path][name][ext]' }] })],
  };
};

export default config;
