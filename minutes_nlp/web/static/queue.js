// One key per answer on the annotation queue page: 1-5 press the label buttons, 0 or s skips.
// Keys typed into a field are left alone. Served from the app itself (no CDN, no framework).
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  var target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
  var key = event.key === "s" || event.key === "S" ? "0" : event.key;
  var button = document.querySelector('#queue-form button[data-key="' + key + '"]');
  if (button) {
    event.preventDefault();
    button.click();
  }
});
