// Progressive enhancement for the article page: selecting a quote shows its details beside the
// text without leaving the reading position. Without this script each mark links to its details.
(function () {
  "use strict";
  var text = document.getElementById("article-text");
  var panel = document.getElementById("selected");
  if (!text || !panel) return;

  function marksOf(id) {
    return text.querySelectorAll('a.q[data-quotes~="' + id + '"]');
  }

  function select(id, focusPanel) {
    var source = document.getElementById("q-" + id);
    if (!source) return;
    Array.prototype.forEach.call(text.querySelectorAll("a.q.active"), function (m) { m.classList.remove("active"); });
    Array.prototype.forEach.call(document.querySelectorAll("li.detail.active"), function (d) { d.classList.remove("active"); });
    Array.prototype.forEach.call(marksOf(id), function (m) { m.classList.add("active"); });
    source.classList.add("active");
    panel.innerHTML = "";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.textContent = "Close";
    close.addEventListener("click", function () {
      panel.hidden = true;
      Array.prototype.forEach.call(marksOf(id), function (m) { m.classList.remove("active"); });
      source.classList.remove("active");
      var first = marksOf(id)[0];
      if (first) first.focus();
    });
    panel.appendChild(close);
    var copy = source.cloneNode(true);
    copy.removeAttribute("id");
    copy.classList.remove("active");
    var heading = document.createElement("h3");
    heading.textContent = "Selected quote";
    panel.appendChild(heading);
    panel.appendChild(copy);
    panel.hidden = false;
    panel.setAttribute("tabindex", "-1");
    if (focusPanel) panel.focus({ preventScroll: true });
    var aside = panel.closest(".quote-details");
    if (aside && aside.scrollTo) aside.scrollTo({ top: 0 });
  }

  text.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest("a.q");
    if (!mark) return;
    event.preventDefault();
    select(mark.getAttribute("data-quote"), false);
    if (history.replaceState) history.replaceState(null, "", "#q-" + mark.getAttribute("data-quote"));
  });

  document.addEventListener("click", function (event) {
    var jump = event.target.closest && event.target.closest("a[data-jump]");
    if (!jump) return;
    var first = marksOf(jump.getAttribute("data-jump"))[0];
    if (!first) return;
    event.preventDefault();
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
    select(jump.getAttribute("data-jump"), false);
  });

  var match = /^#q-(\d+)$/.exec(location.hash);
  if (match) select(match[1], false);
})();
