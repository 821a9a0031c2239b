// Progressive enhancement only: every page works without this file.
import { initAll } from "../build/js/govuk-frontend.min.js";
import { initAll as initMoj } from "../build/js/moj-frontend.min.js";

initAll();
initMoj();
