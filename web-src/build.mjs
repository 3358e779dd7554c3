// Bundle the dashboard into src/dateline/web/static/ so a Python-only install needs no npm.
// Run with `npm ci && npm run build` in web-src/. Nothing is fetched at run time: d3 and
// topojson-client are inlined into app.js and the world geometry is copied beside it.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "dateline", "web", "static");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  outfile: join(out, "app.js"),
});

for (const name of ["index.html", "style.css"]) {
  copyFileSync(join(here, "src", name), join(out, name));
}
// Natural Earth 1:110m countries as TopoJSON (world-atlas, public-domain geometry, ISC packaging).
copyFileSync(join(here, "node_modules", "world-atlas", "countries-110m.json"), join(out, "world-110m.json"));

// Third-party notices for what the bundle contains.
const notice = ["d3", "topojson-client", "world-atlas"].map((pkg) => {
  const meta = JSON.parse(readFileSync(join(here, "node_modules", pkg, "package.json"), "utf8"));
  return `${pkg} ${meta.version} (${meta.license})`;
});
writeFileSync(join(out, "THIRD_PARTY.txt"), "Bundled into app.js / world-110m.json:\n" + notice.join("\n") + "\n");
console.log(`built dashboard into ${out}`);
