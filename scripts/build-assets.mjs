// Builds assets/build/ (served as /static/): our CSS compiled from GOV.UK Frontend's
// Sass (no GDS Transport font, no crown: those are for GOV.UK only), its JavaScript,
// and our own scripts and images.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "assets", "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "css"), { recursive: true });

const css = sass.compile(join(root, "assets", "scss", "epurse.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
});
writeFileSync(join(out, "css", "epurse.css"), css.css);

mkdirSync(join(out, "govuk"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
// GOV.UK Frontend's footer styles refer to the crest; our pages never show it, but the
// file must exist for the hashed static-file manifest to build.
mkdirSync(join(out, "govuk", "assets", "images"), { recursive: true });
cpSync(
  join(govuk, "assets", "images", "govuk-crest.svg"),
  join(out, "govuk", "assets", "images", "govuk-crest.svg"),
);
cpSync(join(root, "assets", "js"), join(out, "js"), { recursive: true });
cpSync(join(root, "assets", "images"), join(out, "images"), { recursive: true });
console.log(`Built assets into ${out}`);
