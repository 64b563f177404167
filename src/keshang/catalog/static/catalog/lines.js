// The quotation/order line editor. The server prices every line (htmx posts the form on each change) and reads
// the products picked and the rows pasted; this only records which unit price the user typed last, clears a
// line's price when its product changes so the catalog's rules price it again, and looks after the keyboard.
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

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    // Enter in the product search searches at once instead of submitting (saving) the document.
    if (event.target.matches("[data-picker-search]")) {
      event.preventDefault();
      event.target.dispatchEvent(new Event("pick-search"));
    }
    // Ctrl+Enter in the paste box adds the pasted rows.
    if (event.target.matches("[data-paste-text]") && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      document.querySelector("[data-paste-add]").click();
    }
  });

  // Opening the product dialog puts the cursor in its search and searches afresh, as of the document's date now.
  document.addEventListener("shown.bs.modal", function (event) {
    const search = event.target.querySelector("[data-picker-search]");
    if (!search) return;
    search.focus();
    search.dispatchEvent(new Event("pick-search"));
  });

  // The dialog's searches carry the document's date (the header field named in data-date-field) as "on": a
  // document dated in the past is offered discontinued products too, as its lines may name them.
  document.addEventListener("htmx:configRequest", function (event) {
    const search = event.detail.elt;
    if (!search.matches || !search.matches("[data-picker-search]")) return;
    const form = search.closest("form");
    const date = form && search.dataset.dateField ? form.elements.namedItem(search.dataset.dateField) : null;
    if (date && date.value) event.detail.parameters.on = date.value;
  });

  // Opening the paste panel puts the cursor in its box.
  document.addEventListener("shown.bs.collapse", function (event) {
    const text = event.target.querySelector("[data-paste-text]");
    if (text) text.focus();
  });

  // After 添加明细 the new line's product picker has the focus; after a paste with bad rows, the paste box.
  document.addEventListener("htmx:afterRequest", function (event) {
    const button = event.detail.elt;
    if (!event.detail.successful || !button.matches) return;
    if (button.matches("[data-add-line]")) {
      const products = document.querySelectorAll("#lines [data-line] .line-product");
      if (products.length) products[products.length - 1].focus();
    }
    if (button.matches("[data-paste-add]") && document.querySelector("[data-testid=paste-errors]")) {
      document.querySelector("[data-paste-text]").focus();
    }
  });
})();
