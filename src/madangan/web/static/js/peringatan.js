// The live alert feed: follows /api/v1/alerts/stream (server-sent events) and puts each changed alert on top.
// Text goes in through textContent only (nothing from the server is parsed as HTML).
(function () {
  document.querySelectorAll(".alert-feed[data-stream]").forEach(function (feed) {
    if (feed.dataset.following) return;
    feed.dataset.following = "1";
    var list = feed.querySelector(".alert-list");
    var source = new EventSource(feed.dataset.stream);
    feed.eventSource = source;
    source.addEventListener("alert", function (message) {
      var a = JSON.parse(message.data);
      var old = list.querySelector('[data-alert="' + a.alert_id + '"]');
      if (old) old.remove();
      var empty = list.querySelector(".empty");
      if (empty) empty.remove();
      var item = document.createElement("li");
      item.className = "alert new sev-" + a.severity + " state-" + a.state;
      item.dataset.alert = a.alert_id;
      var link = document.createElement("a");
      link.href = a.url;
      var title = document.createElement("b");
      title.textContent = a.title;
      link.appendChild(title);
      item.appendChild(link);
      [a.severity_label, a.state_label].forEach(function (text) {
        var tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = text;
        item.appendChild(document.createTextNode(" "));
        item.appendChild(tag);
      });
      var p = document.createElement("p");
      p.textContent = a.message;
      item.appendChild(p);
      list.insertBefore(item, list.firstChild);
      while (list.children.length > 50) list.removeChild(list.lastChild);
    });
    // a feed swapped out of the page closes its stream
    new MutationObserver(function () {
      if (!document.body.contains(feed)) source.close();
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
