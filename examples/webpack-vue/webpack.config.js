import HtmlWebpackPlugin from "html-webpack-plugin";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

// Nothing whythis-specific: webpack 5 follows the package's `new Worker(new URL(…, import.meta.url))`
// and `new URL("…_bg.wasm", import.meta.url)` by itself.
export default {
  entry: "./src/index.js",
  output: {
    path: resolve(here, "dist"),
    filename: "[name].[contenthash].js",
    assetModuleFilename: "[name].[contenthash][ext]",
    clean: true,
  },
  // The runtime-only Vue build: the app renders with h(), so no template compiler ships.
  resolve: { alias: { vue$: "vue/dist/vue.runtime.esm-bundler.js" } },
  plugins: [new HtmlWebpackPlugin({ template: "./index.html" })],
  performance: { hints: false },
};
