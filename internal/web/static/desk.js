// Keyboard shortcuts of the support desk, for agents who live in it:
// on the inbox j/k move between tickets and Enter opens one; "/" searches;
// on a ticket r goes to the reply, n to a note, u back to the inbox.
// Nothing happens while typing in a field.
(function () {
  "use strict";
  var current = -1;
  function tickets() { return Array.prototype.slice.call(document.querySelectorAll("li[data-ticket]")); }
  function mark(list) {
    list.forEach(function (li, i) { li.classList.toggle("current", i === current); });
    if (list[current]) { list[current].scrollIntoView({ block: "nearest" }); }
  }
  // A canned reply chosen fills the reply box (or adds to what is there);
  // without JavaScript the server fills it in when the box is empty.
  document.addEventListener("change", function (e) {
    if (!e.target || e.target.id !== "reply-canned") { return; }
    var opt = e.target.options[e.target.selectedIndex];
    var body = document.getElementById("reply-body");
    var text = opt && opt.getAttribute("data-text");
    if (!body || !text) { return; }
    body.value = body.value.trim() === "" ? text : body.value.replace(/\s+$/, "") + "\n\n" + text;
    e.target.value = "";
    body.focus();
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT"))) {
      return;
    }
    var list = tickets();
    switch (e.key) {
      case "j": current = Math.min(current + 1, list.length - 1); mark(list); break;
      case "k": current = Math.max(current - 1, 0); mark(list); break;
      case "Enter":
        if (list[current]) { list[current].querySelector("a.subject").click(); }
        return;
      case "/":
        var q = document.querySelector("[data-key='/']");
        if (q) { e.preventDefault(); q.focus(); }
        return;
      case "r": case "n":
        var body = document.getElementById("reply-body");
        if (!body) { return; }
        e.preventDefault();
        document.getElementById("reply-note").checked = e.key === "n";
        body.focus();
        return;
      case "u":
        var back = document.querySelector("[data-key='u']");
        if (back) { back.click(); }
        return;
      default:
        return;
    }
    e.preventDefault();
  });
})();
