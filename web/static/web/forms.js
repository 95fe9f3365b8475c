// Forms that help (web/templates/web/forms/): after a refused submit, focus goes to the first field in error;
// the summary's links focus their field (a plain #anchor only scrolls).
(function () {
  "use strict";
  function focusField(target) {
    if (!target) { return false; }
    target.focus({preventScroll: true});
    target.scrollIntoView({block: "center"});
    return true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (focusField(document.getElementById(link.getAttribute("href").slice(1)))) { event.preventDefault(); }
      });
    });
    if (!focusField(document.querySelector("form [aria-invalid='true']"))) {
      summary.setAttribute("tabindex", "-1");
      focusField(summary);
    }
  });
}());
