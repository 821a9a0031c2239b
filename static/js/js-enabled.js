// Runs first in <body>: tells GOV.UK Frontend's styles that scripts are on (no inline script, for the CSP).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
