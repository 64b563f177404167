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
})();
