// Build the vendored NHS.UK frontend assets into static/vendor/nhsuk/.
//
// Run once after changing the nhsuk-frontend version (`npm ci && npm run build`
// in this folder) and commit the output. The app never needs Node at run time.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, "node_modules", "nhsuk-frontend");
const dist = join(pkgDir, "dist", "nhsuk");
const out = join(here, "..", "static", "vendor", "nhsuk");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets", "images"), { recursive: true });

// CSS: compiled from source with our settings (Arial, relative asset paths).
const css = sass.compile(join(here, "nhsuk.scss"), {
  style: "compressed",
  sourceMap: false,
  importers: [new sass.NodePackageImporter(here)],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
if (/assets\.nhs\.uk|url\(\s*["']?(https?:)?\/\//.test(css.css)) {
  throw new Error("Compiled CSS still references a remote URL (font or image).");
}
writeFileSync(join(out, "nhsuk.min.css"), css.css + "\n");

// Icons, logos and favicons that the CSS and our base template use.
for (const name of readdirSync(join(dist, "assets", "images"))) {
  copyFileSync(join(dist, "assets", "images", name), join(out, "assets", "images", name));
}

// JS: the package's ES module bundle. Its source map is not vendored, so the
// sourceMappingURL comment goes (Django's manifest storage would look for it).
const js = readFileSync(join(dist, "nhsuk-frontend.min.js"), "utf8").replace(
  /\n?\/\/# sourceMappingURL=\S+\s*$/,
  "\n",
);
writeFileSync(join(out, "nhsuk.min.js"), js);

writeFileSync(
  join(out, "NOTICE.txt"),
  `${pkg.name} ${pkg.version} (${pkg.license} licence), ${pkg.homepage}\n` +
    "Built by frontend/build.mjs: CSS compiled with Arial (no remote font), " +
    "assets/images copied, ES module bundle copied as nhsuk.min.js.\n",
);
console.log(`Built ${pkg.name} ${pkg.version} into ${out}`);
