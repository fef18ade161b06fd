// Enhancements of the contribution pages; every page works without them.
if (window.htmx) {
  // The CSP forbids inline styles: htmx must not inject its indicator styles.
  window.htmx.config.includeIndicatorStyles = false;
  // When an enhanced form is refused (consultation closed, session expired…),
  // send it again without htmx, so that the page with the message is shown.
  document.body.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    if (form && form.tagName === "FORM" && form.method.toLowerCase() === "post") {
      form.submit();
    }
  });
}
