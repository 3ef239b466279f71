/* Kafo's page behaviours, from a static file: the Content-Security-Policy allows no inline
   script or event handler (kafo/http_security.py).
   - <select data-autosubmit>: submits its form when changed (language menu, filters);
   - <button data-confirm="question">: asks before submitting;
   - <a data-back>: goes back one page;
   - <button data-menu-toggle>: opens and closes the menu on a phone (kafo.css hides it). */
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
});
document.addEventListener("click", function (event) {
  var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
  if (toggle) {
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) { menu.classList.toggle("open", open); }
    return;
  }
  var el = event.target.closest && event.target.closest("[data-confirm], [data-back]");
  if (!el) { return; }
  if (el.hasAttribute("data-back")) {
    event.preventDefault();
    history.back();
  } else if (!window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
/* htmx leaves the target as it was on an error answer. A 429 (too many zone look-ups: the
   registration hints) carries a page fragment that says why and when to try again: show it. */
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr && event.detail.xhr.status === 429) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
