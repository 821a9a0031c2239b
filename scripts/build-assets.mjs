// Compile the stylesheet with Dart Sass and copy the front-end scripts and assets into
// static/build/, which Django serves (whitenoise) — nothing comes from a CDN.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "static/build";
mkdirSync(`${out}/css`, { recursive: true });
mkdirSync(`${out}/js`, { recursive: true });

const result = sass.compile("assets/scss/app.scss", {
  loadPaths: [".", "node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
  // GOV.UK Frontend and MOJ Frontend warn about each other's deprecated mixins; only our
  // own stylesheets' warnings are worth reading here.
  logger: {
    warn(message, { span, stack }) {
      const origin = span?.url?.pathname ?? stack?.split("\n")[0] ?? "";
      if (!origin.includes("node_modules/")) console.warn(message);
    },
  },
});
writeFileSync(`${out}/css/app.css`, result.css);

cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/js/govuk-frontend.min.js`);
cpSync("node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js", `${out}/js/moj-frontend.min.js`);
cpSync("node_modules/govuk-frontend/dist/govuk/assets", "static/govuk/assets", { recursive: true });
// MOJ Frontend configures GOV.UK Frontend's asset path and uses it for its own icons too,
// so both packages' assets go in the one folder (their file names do not clash).
cpSync("node_modules/@ministryofjustice/frontend/moj/assets", "static/govuk/assets", { recursive: true });
console.log(`built ${out}/css/app.css (${result.css.length} bytes)`);
