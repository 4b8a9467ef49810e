// Start the NHS.UK frontend components (header menu, error summary focus, tabs, …).
import { initAll } from "/static/vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
