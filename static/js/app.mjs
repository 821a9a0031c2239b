// Progressive enhancement only: every page works without this file.
import { initAll } from "../build/js/govuk-frontend.min.js";

initAll();
