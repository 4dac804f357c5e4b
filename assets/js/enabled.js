// Runs before the page renders, so GOV.UK Frontend styles the JavaScript version
// from the start. Kept in a file (not inline) so a strict Content-Security-Policy works.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
