// The quotation/order line editor. The server prices every line (htmx posts the form on each change);
// this only records which unit price the user typed last, and clears a line's price when its product
// changes so the catalog's rules price it again.
(function () {
  "use strict";

  function row(element) {
    return element.closest("[data-line]");
  }

  function set(line, selector, value) {
    const input = line.querySelector(selector);
    if (input) input.value = value;
  }

  document.addEventListener("input", function (event) {
    const line = row(event.target);
    if (!line) return;
    if (event.target.classList.contains("price-gross") || event.target.classList.contains("price-net")) {
      set(line, ".price-entry", event.target.classList.contains("price-net") ? "net" : "gross");
      set(line, ".price-auto", "");
    }
  });

  // Capture phase: runs before htmx (listening on #lines) serialises the form for the preview.
  document.addEventListener(
    "change",
    function (event) {
      const line = row(event.target);
      if (!line || !event.target.classList.contains("line-product")) return;
      set(line, ".price-gross", "");
      set(line, ".price-net", "");
      set(line, ".price-entry", "gross");
      set(line, ".price-auto", "True");
    },
    true
  );

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-last-price]");
    if (!button) return;
    const line = row(button);
    set(line, ".price-gross", button.dataset.lastPrice);
    set(line, ".price-entry", "gross");
    set(line, ".price-auto", "");
    line.querySelector(".price-gross").dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
