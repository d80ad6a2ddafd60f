// The public edition's search, run in the reader's browser over the prebuilt index in
// search/ (publish/search_index.py; docs/publishing.md, "Searching the edition"): it
// fetches only the shards of the query's terms, the first blocks of their postings
// (ordered by impact) and the document rows of the results it shows.
(function () {
  "use strict";
  var form = document.getElementById("site-search");
  var box = document.getElementById("q");
  var out = document.getElementById("site-results");
  if (!form || !box || !out) return;
  var PAGE = 20;
  // Bytes of postings one step of a search may load before it shows what it found.
  var BUDGET = 300000;
  var PREFIX_TERMS = 20;
  var PREFIX_FILES = 12;
  var files = {};
  var fetched = 0;
  var meta = null;
  var current = null;
  var has = Object.prototype.hasOwnProperty;

  function hex(text) {
    var bytes = new TextEncoder().encode(text);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function get(url) {
    if (!files[url]) {
      files[url] = fetch(url).then(function (r) {
        if (!r.ok) return null;
        return r.arrayBuffer().then(function (buffer) {
          fetched += buffer.byteLength;
          return JSON.parse(new TextDecoder().decode(buffer));
        });
      }).catch(function () { return null; });
    }
    return files[url];
  }
  function words(text) {
    return (text.match(/[\p{L}\p{N}]+/gu) || []).map(function (w) { return w.toLowerCase(); });
  }
  function shard(prefix) {
    return get("search/t/" + hex(prefix) + ".json");
  }
  // A term's entry: from the shard of its first two characters down the tree.
  function lookup(term) {
    var cs = Array.from(term);
    function step(depth) {
      return shard(cs.slice(0, depth).join("")).then(function (node) {
        if (!node) return null;
        if (has.call(node.t, term)) return node.t[term];
        if (node.s && cs.length > depth && node.s.indexOf(cs[depth]) >= 0) return step(depth + 1);
        return null;
      });
    }
    return step(Math.min(2, cs.length));
  }
  function idf(df) {
    return Math.log(1 + (meta.docs - df + 0.5) / (df + 0.5));
  }

  // The postings of one term, loaded a block at a time (highest impact first).
  function Source(term, entry) {
    this.term = term;
    this.df = entry[0];
    this.pair = term.indexOf(" ") >= 0;
    this.postings = new Map();
    this.weight = idf(this.df);
    // The blocks of a term with many cables, in order (levels highest first, then
    // cables): [cables, 0, level, cable, postings, ...], each block's last posting and
    // its number of postings; each search/b/FOLDER/LEVEL-CABLE.json, FOLDER the term's
    // hexadecimal cut every 200 characters. A block holds about meta.block postings (a
    // pair's: meta.pair_block).
    this.blocks = [];
    this.size = this.pair ? meta.pair_block : meta.block;
    if (Array.isArray(entry[1])) {
      this.decode(entry[1]);
    } else {
      var name = hex(term), folder = [];
      for (var at = 0; at < name.length; at += 200) folder.push(name.slice(at, at + 200));
      folder = "search/b/" + folder.join("/") + "/";
      for (var i = 2; i + 2 < entry.length; i += 3) {
        this.blocks.push([folder + entry[i] + "-" + entry[i + 1] + ".json", entry[i + 2]]);
      }
    }
    this.next = 0;
  }
  Source.prototype.complete = function () { return this.next >= this.blocks.length; };
  Source.prototype.decode = function (run) {
    var i = 0;
    while (i < run.length) {
      var level = run[i], n = run[i + 1];
      i += 2;
      var doc = 0;
      for (var k = 0; k < n; k++) {
        doc += run[i++];
        var positions = null;
        if (this.pair) {
          var count = run[i++], at = 0;
          positions = [];
          for (var j = 0; j < count; j++) { at += run[i++]; positions.push(at); }
        }
        this.postings.set(doc, { level: level, positions: positions });
      }
    }
  };
  Source.prototype.more = function () {
    // The next blocks, together about one block's worth of postings (small levels are
    // fetched at once).
    var self = this, wanted = [], postings = 0;
    while (!this.complete() && (!wanted.length || postings + this.blocks[this.next][1] <= this.size)) {
      wanted.push(this.blocks[this.next][0]);
      postings += this.blocks[this.next][1];
      this.next += 1;
    }
    return Promise.all(wanted.map(get)).then(function (runs) {
      runs.forEach(function (run) { if (run) self.decode(run); });
    });
  };

  // A clause of the query: a word, a phrase (its pairs at consecutive positions) or a
  // prefix (any of the most common words that start so). Every clause must match.
  function Clause(kind, sources, text) {
    this.kind = kind;
    this.sources = sources;
    this.text = text;
  }
  Clause.prototype.candidates = function () {
    if (this.kind === "prefix") {
      var all = new Set();
      this.sources.forEach(function (s) { s.postings.forEach(function (_, d) { all.add(d); }); });
      return all;
    }
    var smallest = this.sources[0];
    this.sources.forEach(function (s) { if (s.postings.size < smallest.postings.size) smallest = s; });
    return new Set(smallest.postings.keys());
  };
  Clause.prototype.score = function (doc) {
    var sources = this.sources;
    if (!sources.length) return null;
    if (this.kind === "prefix") {
      var best = null;
      sources.forEach(function (s) {
        var p = s.postings.get(doc);
        if (p && (best === null || p.level * s.weight > best)) best = p.level * s.weight;
      });
      return best;
    }
    var total = 0;
    var found = [];
    for (var i = 0; i < sources.length; i++) {
      var p = sources[i].postings.get(doc);
      if (!p) return null;
      total += p.level * sources[i].weight;
      found.push(p);
    }
    if (this.kind === "phrase" && found.length > 1) {
      var later = found.slice(1).map(function (p) { return new Set(p.positions); });
      var chained = found[0].positions.some(function (start) {
        return later.every(function (set, k) { return set.has(start + k + 1); });
      });
      if (!chained) return null;
    }
    return total;
  };
  Clause.prototype.most = function () {
    // At most this many cables can match the clause.
    if (!this.sources.length) return 0;
    if (this.kind === "prefix") return this.sources.reduce(function (n, s) { return n + s.df; }, 0);
    return Math.min.apply(null, this.sources.map(function (s) { return s.df; }));
  };

  function expand(stem) {
    // The words of the index that start with `stem`, the most common first.
    var cs = Array.from(stem);
    var found = [];
    var visited = 0;
    function gather(prefix) {
      return shard(prefix).then(function (node) {
        visited += 1;
        if (!node) return null;
        Object.keys(node.t).forEach(function (t) {
          if (t.indexOf(" ") < 0 && t.indexOf(stem) === 0) found.push([t, node.t[t]]);
        });
        return node;
      });
    }
    function walk(prefixes) {
      // Breadth first through the subtree of the stem, within PREFIX_FILES files.
      if (!prefixes.length || visited >= PREFIX_FILES) return Promise.resolve();
      var batch = prefixes.slice(0, PREFIX_FILES - visited);
      return Promise.all(batch.map(gather)).then(function (nodes) {
        var next = [];
        nodes.forEach(function (node, k) {
          if (node && node.s) Array.from(node.s).forEach(function (c) { next.push(batch[k] + c); });
        });
        return walk(next.concat(prefixes.slice(batch.length)));
      });
    }
    function descend(depth) {
      var prefix = cs.slice(0, depth).join("");
      return shard(prefix).then(function (node) {
        if (!node) return null;
        if (node.s && depth < cs.length) {
          if (node.s.indexOf(cs[depth]) >= 0) return descend(depth + 1);
          return gather(prefix);
        }
        return walk([prefix]);
      });
    }
    return descend(2).then(function () {
      found.sort(function (a, b) { return b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1); });
      return found.slice(0, PREFIX_TERMS);
    });
  }

  function termsOf(kind, list) {
    // A phrase is searched as its pairs of words; a word as itself.
    return kind === "phrase" ? list.slice(1).map(function (w, k) { return list[k] + " " + w; }) : list;
  }
  function clauseOf(kind, list, expanded) {
    if (kind === "prefix") {
      return new Clause("prefix", expanded.map(function (t) { return new Source(t[0], t[1]); }), list[0] + "*");
    }
    var terms = termsOf(kind, list);
    return Promise.all(terms.map(lookup)).then(function (entries) {
      if (entries.some(function (e) { return !e; })) return new Clause(kind, [], list.join(" "));
      return new Clause(kind, entries.map(function (e, k) { return new Source(terms[k], e); }), list.join(" "));
    });
  }

  function parse(query) {
    // "a phrase", word*, words; a token the tokenizer cuts in pieces (U.S.) is a phrase.
    var clauses = [];
    var pattern = /"([^"]*)"?|(\S+)/g;
    var match;
    while ((match = pattern.exec(query)) !== null) {
      if (match[1] !== undefined) {
        var list = words(match[1]);
        if (list.length) clauses.push([list.length > 1 ? "phrase" : "word", list]);
        continue;
      }
      var token = match[2];
      var stem = words(token);
      if (/\*$/.test(token) && stem.length === 1 && Array.from(stem[0]).length >= 2) {
        clauses.push(["prefix", stem]);
      } else if (stem.length) {
        clauses.push([stem.length > 1 ? "phrase" : "word", stem]);
      }
    }
    return clauses;
  }

  function Search(query, clauses) {
    this.query = query;
    this.clauses = clauses;
    this.sources = [];
    var self = this;
    clauses.forEach(function (c) { self.sources = self.sources.concat(c.sources); });
    this.results = [];
  }
  Search.prototype.complete = function () {
    return this.sources.every(function (s) { return s.complete(); });
  };
  Search.prototype.collect = function () {
    var clauses = this.clauses;
    if (!clauses.length || clauses.some(function (c) { return !c.sources.length; })) {
      this.results = [];
      return;
    }
    var driver = clauses[0];
    var smallest = driver.candidates();
    clauses.forEach(function (c) {
      var mine = c.candidates();
      if (mine.size < smallest.size) { smallest = mine; driver = c; }
    });
    var results = [];
    smallest.forEach(function (doc) {
      var total = 0;
      for (var i = 0; i < clauses.length; i++) {
        var s = clauses[i].score(doc);
        if (s === null) return;
        total += s;
      }
      results.push([doc, total]);
    });
    results.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    this.results = results;
  };
  // Load blocks until `need` results are found, every posting is loaded, or the step's
  // budget of bytes is spent.
  Search.prototype.settle = function (need) {
    var self = this;
    var start = fetched;
    function round() {
      self.collect();
      if (self.results.length >= need || self.complete() || fetched - start >= BUDGET) return Promise.resolve();
      var pending = self.sources.filter(function (s) { return !s.complete(); });
      return Promise.all(pending.map(function (s) { return s.more(); })).then(round);
    }
    return round();
  };
  // The number of cables matching, when it is known: every posting loaded, or a query of
  // one term (a word, or a phrase of two words: a pair), whose cables are counted.
  Search.prototype.exact = function () {
    if (this.complete()) return this.results.length;
    var clauses = this.clauses;
    if (clauses.length === 1 && clauses[0].kind !== "prefix" && clauses[0].sources.length === 1) {
      return clauses[0].sources[0].df;
    }
    return null;
  };
  Search.prototype.most = function () {
    return Math.min.apply(null, this.clauses.map(function (c) { return c.most(); }));
  };

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function row(doc) {
    var chunk = Math.floor(doc / meta.doc_chunk);
    return get("search/d/" + chunk + ".json").then(function (rows) { return rows ? rows[doc % meta.doc_chunk] : null; });
  }
  function show(search, page) {
    var shown = search.results.slice(page * PAGE, (page + 1) * PAGE);
    return Promise.all(shown.map(function (r) { return row(r[0]); })).then(function (rows) {
      if (current !== search) return;
      out.textContent = "";
      var n = search.results.length;
      var heading;
      var exact = search.exact();
      if (exact !== null) {
        heading = exact + " cable" + (exact === 1 ? "" : "s") + " match \u201c" + search.query + "\u201d";
      } else {
        heading = n + " cables found so far for \u201c" + search.query + "\u201d (up to " + search.most() + " may match; more are looked for as you page)";
      }
      out.appendChild(text("h1", heading));
      var list = document.createElement("ol");
      list.className = "hits";
      list.start = page * PAGE + 1;
      rows.forEach(function (doc) {
        if (!doc) return;
        var item = document.createElement("li");
        item.className = "hit";
        var info = document.createElement("div");
        info.className = "hit-meta";
        var link = text("a", doc[0], "hit-id");
        link.href = meta.cable_path + encodeURIComponent(doc[0]) + ".html";
        info.appendChild(link);
        info.appendChild(text("span", doc[3], "badge"));
        info.appendChild(text("span", doc[1]));
        info.appendChild(text("span", doc[2]));
        item.appendChild(info);
        var subject = text("a", doc[4] || "(no subject)", "hit-subject");
        subject.href = link.href;
        item.appendChild(subject);
        list.appendChild(item);
      });
      out.appendChild(list);
      var more = (page + 1) * PAGE < n || !search.complete();
      if (page > 0 || more) {
        var pager = document.createElement("nav");
        pager.className = "pager";
        var previous = text("button", "Previous page");
        previous.id = "site-previous";
        previous.type = "button";
        previous.disabled = page === 0;
        previous.addEventListener("click", function () { turn(search, page - 1); });
        var following = text("button", "Next page");
        following.id = "site-next";
        following.type = "button";
        following.disabled = !more;
        following.addEventListener("click", function () { turn(search, page + 1); });
        pager.appendChild(previous);
        pager.appendChild(text("span", " page " + (page + 1) + " "));
        pager.appendChild(following);
        out.appendChild(pager);
      }
      out.dataset.page = String(page + 1);
      // For benchmarks and tests: what the search fetched, and when it showed results.
      out.dataset.bytes = String(fetched);
      out.dataset.ms = String(Math.round(performance.now()));
      out.dataset.state = "done";
    });
  }
  function turn(search, page) {
    if (page < 0) return;
    out.dataset.state = "searching";
    search.settle((page + 1) * PAGE).then(function () {
      if (page * PAGE >= search.results.length && page > 0) page -= 1;
      return show(search, page);
    });
  }
  function run(query) {
    var parsed = parse(query);
    out.dataset.state = "searching";
    if (!parsed.length) { out.textContent = ""; out.dataset.state = "done"; return; }
    // meta.json and the terms' shards are fetched at once; the postings need meta (idf).
    var ready = get("search/meta.json").then(function (m) { meta = m; return m; });
    parsed.forEach(function (c) { if (c[0] !== "prefix") termsOf(c[0], c[1]).forEach(lookup); });
    var found = Promise.all(parsed.map(function (c) { return c[0] === "prefix" ? expand(c[1][0]) : null; }));
    Promise.all([ready, found]).then(function (both) {
      var expanded = both[1];
      return Promise.all(parsed.map(function (c, k) { return clauseOf(c[0], c[1], expanded[k]); }));
    }).then(function (clauses) {
      var search = new Search(query, clauses);
      current = search;
      turn(search, 0);
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
