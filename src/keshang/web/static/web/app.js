// Keshang shell behaviour. Served from our own origin: the CSP forbids inline scripts.
(function () {
  "use strict";

  // Selects marked data-autosubmit (the language switch) submit their form when changed.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.submit();
    }
  });

  // Forms and buttons marked data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  // Region pickers (core.forms.RegionSelect): a province or city <select> asks htmx for its children by
  // the chosen option's code (?parent=44); nothing chosen, nothing to ask.
  document.addEventListener("htmx:configRequest", function (event) {
    var select = event.detail.elt;
    if (!select.matches || !select.matches("select[data-region-level]")) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var code = option ? option.getAttribute("data-code") : null;
    if (code) {
      event.detail.parameters = {parent: code};
    } else {
      event.preventDefault();
    }
  });

  // ...and every level below it is emptied down to its placeholder until the new options arrive.
  document.addEventListener("change", function (event) {
    var select = event.target;
    var picker = select.closest && select.matches("select[data-region-level]") && select.closest(".ks-region-picker");
    if (!picker) {
      return;
    }
    var below = false;
    picker.querySelectorAll("select[data-region-level]").forEach(function (level) {
      if (below) {
        level.length = 1;
      }
      below = below || level === select;
    });
  });
})();
