import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  // The dev server's dependency pre-bundling would move whythis away from its worker and wasm files.
  optimizeDeps: { exclude: ["whythis"] },
});
