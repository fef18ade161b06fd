// The "print" buttons of the receipts ([data-print], hidden without
// JavaScript: the page says how to print from the browser's menu).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
