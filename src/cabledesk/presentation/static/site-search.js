// The public edition's search, run in the reader's browser over the prebuilt index in
// search/ (docs.json and term shards named by the hex of a term's first two characters).
(function () {
  "use strict";
  var form = document.getElementById("site-search");
  var box = document.getElementById("q");
  var out = document.getElementById("site-results");
  if (!form || !box || !out) return;
  var shards = {};
  var docs = null;

  function hex(text) {
    var bytes = new TextEncoder().encode(text);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load(url) {
    return fetch(url).then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; });
  }
  function shard(term) {
    var name = "search/t-" + hex(term.slice(0, 2)) + ".json";
    if (!shards[name]) shards[name] = load(name);
    return shards[name];
  }
  function words(text) {
    return (text.toLowerCase().match(/[\p{L}\p{N}]+\*?/gu) || []);
  }
  function postings(term) {
    var prefix = term.endsWith("*");
    var stem = prefix ? term.slice(0, -1) : term;
    return shard(stem).then(function (terms) {
      var found = {};
      Object.keys(terms).forEach(function (t) {
        if (t === stem || (prefix && stem.length >= 2 && t.indexOf(stem) === 0)) {
          terms[t].forEach(function (p) { found[p[0]] = (found[p[0]] || 0) + p[1]; });
        }
      });
      return found;
    });
  }
  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function show(query, ranked) {
    out.textContent = "";
    out.appendChild(text("h1", ranked.length + " cable" + (ranked.length === 1 ? "" : "s") + " match \u201c" + query + "\u201d"));
    var list = document.createElement("ol");
    list.className = "hits";
    ranked.slice(0, 100).forEach(function (entry) {
      var doc = docs.docs[entry[0]];
      var item = document.createElement("li");
      item.className = "hit";
      var meta = document.createElement("div");
      meta.className = "hit-meta";
      var link = text("a", doc[0], "hit-id");
      link.href = docs.cable_path + encodeURIComponent(doc[0]) + ".html";
      meta.appendChild(link);
      meta.appendChild(text("span", doc[3], "badge"));
      meta.appendChild(text("span", doc[1]));
      meta.appendChild(text("span", doc[2]));
      item.appendChild(meta);
      var subject = text("a", doc[4] || "(no subject)", "hit-subject");
      subject.href = link.href;
      item.appendChild(subject);
      list.appendChild(item);
    });
    out.appendChild(list);
  }
  function run(query) {
    var terms = words(query);
    if (!terms.length) { out.textContent = ""; return; }
    var ready = docs ? Promise.resolve(docs) : load("search/docs.json").then(function (d) { docs = d; return d; });
    ready.then(function () { return Promise.all(terms.map(postings)); }).then(function (lists) {
      var total = docs.docs.length;
      var scores = null;
      lists.forEach(function (found) {
        var ids = Object.keys(found);
        var idf = Math.log(1 + total / Math.max(1, ids.length));
        var next = {};
        ids.forEach(function (id) {
          if (scores === null || id in scores) next[id] = (scores ? scores[id] : 0) + found[id] * idf;
        });
        scores = next;
      });
      var ranked = Object.keys(scores || {}).map(function (id) { return [Number(id), scores[id]]; });
      ranked.sort(function (a, b) { return b[1] - a[1]; });
      show(query, ranked);
    });
  }
  var initial = new URLSearchParams(window.location.search).get("q") || "";
  box.value = initial;
  if (initial) run(initial);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = box.value;
    history.replaceState(null, "", "?q=" + encodeURIComponent(query));
    run(query);
  });
})();
