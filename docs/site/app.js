// prodstats site: five views over the build's tables (data/site.js). No framework: plain DOM.
// Every text from the ledger is written with textContent (via el()), never as HTML.
// The URL hash holds the view and its filters: #claims?q=drones&actor=UKR&sort=-period.
"use strict";
(function () {
  const DATA = window.PRODSTATS_DATA;
  const PAGE = 100; // table rows per page
  const FORWARD = ["expected", "target", "pledge", "proposal", "aspiration"];
  const CONFIDENCES = ["verified", "reported", "official", "unverified", "disputed"];
  // Okabe-Ito colours; shape and fill tell confidence too.
  const COLOUR = {verified: "#0072B2", reported: "#009E73", official: "#E69F00",
                  unverified: "#CC79A7", disputed: "#D55E00"};
  const HOLLOW = {unverified: true, disputed: true};
  const SYMBOL = {actual: "circle", estimate: "square", expected: "triangle", target: "star",
                  pledge: "diamond2", proposal: "diamond2", aspiration: "triangle"};
  const VIEWS = ["tracker", "series", "claims", "sources", "downloads"];
  const main = document.getElementById("main");
  const number = new Intl.NumberFormat("en", {maximumSignificantDigits: 6});
  const short = new Intl.NumberFormat("en", {maximumSignificantDigits: 3});

  // ---------------------------------------------------------------------- helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === "") continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function table(name) { // {n, columns, data: {column: cells | {dict, codes}}} -> objects
    const t = DATA.tables[name];
    if (!t) return null;
    if (!t.objects) {
      const cells = t.columns.map((c) => {
        const d = t.data[c];
        return Array.isArray(d) ? d : d.codes.map((code) => d.dict[code]);
      });
      t.objects = new Array(t.n);
      for (let i = 0; i < t.n; i++) {
        const o = {};
        for (let j = 0; j < t.columns.length; j++) o[t.columns[j]] = cells[j][i];
        t.objects[i] = o;
      }
    }
    return t.objects;
  }
  function has(name, column) {
    const t = DATA.tables[name];
    return !!t && (!column || t.columns.includes(column));
  }
  function blank(v) { return v === null || v === undefined || v === ""; }
  function fmt(v) {
    if (blank(v)) return "";
    if (typeof v === "number") return number.format(v);
    if (typeof v === "boolean") return v ? "yes" : "no";
    return String(v);
  }
  // A figure as the text gives it: "dozens (24–99)" (a range, no value), "more than 250" (open
  // above: an empty high), "up to 24" (open below: 0), "about 2,500,000 (2,250,000–2,750,000)";
  // never a value nobody said.
  function figure(value, low, high, unit, qualifier) {
    if (blank(value) && blank(low)) return "";
    const word = blank(qualifier) || qualifier === "exact" ? "" : String(qualifier).replace(/_/g, " ");
    let text;
    if (blank(value)) text = `${word || "range"} (${fmt(low)}–${fmt(high)})`;
    else if (blank(high) && !blank(low)) text = `${word || "at least"} ${fmt(low)}`;
    else if (low === 0 && word) text = `${word} ${fmt(value)}`;  // "up to 24": open below
    else {
      text = word ? `${word} ${fmt(value)}` : fmt(value);
      if (!blank(low) && !blank(high) && (low !== value || high !== value)) {
        text += ` (${fmt(low)}–${fmt(high)})`;
      }
    }
    return unit ? `${text} ${unit}` : text;
  }
  function unitOf(r) { // a ratio's unit says what it is a multiple of
    if (r.unit !== "dimensionless") return r.unit;
    return blank(r.base_period) ? "" : `× ${r.base_period}`;  // a share: a bare fraction
  }
  function link(params, label, attrs) { return el("a", {href: hrefOf(params), ...attrs}, label); }
  function fold(text) { // case and accents folded, for search
    return String(text || "").normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  }
  function missing(what) {
    return el("p", {class: "missing", role: "note"}, what);
  }
  function actorName(id) { return (DATA.actors && DATA.actors[id]) || id; }
  function uniq(values) {
    return [...new Set(values.filter((v) => !blank(v)))].sort((a, b) =>
      String(a).localeCompare(String(b)));
  }
  function periodT(period) { // '2024' -> 2024.5, '2024-03' -> month middle, '2024-Q2' -> quarter
    const m = /^(\d{4})(?:-(\d{2}))?(?:-Q(\d))?/.exec(String(period || ""));
    if (!m) return null;
    const year = +m[1];
    if (m[2]) return year + (+m[2] - 0.5) / 12;
    if (m[3]) return year + (+m[3] - 0.5) / 4;
    return year + 0.5;
  }
  const claimIndex = {};
  (table("claims") || []).forEach((c) => { claimIndex[c.claim_id] = c; });
  const sourceIndex = {};
  (table("sources") || []).forEach((s) => { sourceIndex[s.source_id] = s; });
  function ids(cell) { return String(cell || "").split(";").map((s) => s.trim()).filter(Boolean); }
  function measureOf(claim) { return claim.kind === "ratio" ? "index" : claim.kind; }

  // ---------------------------------------------------------------------- the URL hash
  function parseHash() {
    const raw = location.hash.slice(1);
    const at = raw.indexOf("?");
    const view = at < 0 ? raw : raw.slice(0, at);
    const params = new URLSearchParams(at < 0 ? "" : raw.slice(at + 1));
    return {view: VIEWS.includes(view) ? view : (view === "source" ? "sources" : "tracker"),
            params};
  }
  function hrefOf(params) { // {view, key: value...} -> '#view?key=value'
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (k !== "view" && !blank(v)) q.set(k, v);
    const s = q.toString();
    return "#" + params.view + (s ? "?" + s : "");
  }
  function replaceParams(view, params) { // keep the link current without a new history entry
    const q = {view};
    for (const [k, v] of params.entries()) q[k] = v;
    history.replaceState(null, "", hrefOf(q));
  }

  // ---------------------------------------------------------------------- CSV download
  function csvCell(v) {
    if (blank(v)) return "";
    let s = typeof v === "number" ? String(+v.toPrecision(12)) : String(v);
    // the CSV-injection guard of the published CSVs: a text that a spreadsheet would run
    if (typeof v === "string" && /^[=+\-@\t\r\n]/.test(s) && s !== "-" &&
        !/^[-+]?\d[\d.,]*$/.test(s)) s = "'" + s;
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function download(name, columns, rows) {
    const lines = [columns.map(csvCell).join(",")];
    for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(","));
    const blob = new Blob([lines.join("\n") + "\n"], {type: "text/csv;charset=utf-8"});
    const a = el("a", {href: URL.createObjectURL(blob), download: name});
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // ---------------------------------------------------------------------- a sortable table
  // spec: {id, columns: [{key, label, num, cell(row) -> node|text, value(row)}], rows,
  //        params, view, download: {name, table}}
  function dataTable(spec) {
    const {params, view} = spec;
    const sort = params.get("sort") || spec.defaultSort || "";
    const desc = sort.startsWith("-");
    const key = desc ? sort.slice(1) : sort;
    const col = spec.columns.find((c) => c.key === key);
    let rows = spec.rows.slice();
    if (col) {
      const value = col.value || ((r) => r[col.key]);
      rows.sort((a, b) => {
        const x = value(a), y = value(b);
        if (blank(x) && blank(y)) return 0;
        if (blank(x)) return 1;
        if (blank(y)) return -1;
        const order = typeof x === "number" && typeof y === "number" ? x - y
          : String(x).localeCompare(String(y), "en", {numeric: true});
        return desc ? -order : order;
      });
    }
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    const page = Math.min(pages, Math.max(1, +params.get("page") || 1));
    const shown = rows.slice((page - 1) * PAGE, page * PAGE);
    const head = el("tr", {}, spec.columns.map((c) => {
      const next = c.key === key && !desc ? "-" + c.key : c.key;
      const th = el("th", {scope: "col",
        "aria-sort": c.key === key ? (desc ? "descending" : "ascending") : null},
      el("button", {type: "button", "data-sort": c.key,
        onclick: () => {
          params.set("sort", next); params.delete("page"); spec.rerender();
          refocus(`#${spec.id} [data-sort="${c.key}"]`);
        }},
      c.label));
      return th;
    }));
    const body = el("tbody", {}, shown.map((r) => el("tr", {"data-id": spec.rowId ? spec.rowId(r) : null},
      spec.columns.map((c) => {
        const content = c.cell ? c.cell(r) : fmt(r[c.key]);
        return el("td", {class: c.num ? "num" : c.cls || null, "data-label": c.label}, content);
      }))));
    const pager = el("div", {class: "pager"},
      el("span", {class: "count", "aria-live": "polite"},
        `${rows.length.toLocaleString("en")} ${rows.length === 1 ? "row" : "rows"}` +
        (pages > 1 ? `, page ${page} of ${pages}` : "")),
      pages > 1 && page > 1 ? el("button", {type: "button", "data-page": "prev",
        onclick: () => { params.set("page", page - 1); spec.rerender(); refocus(`#${spec.id} .count`); }}, "Previous") : null,
      pages > 1 && page < pages ? el("button", {type: "button", "data-page": "next",
        onclick: () => { params.set("page", page + 1); spec.rerender(); refocus(`#${spec.id} .count`); }}, "Next") : null,
      spec.download ? el("button", {type: "button", class: "download",
        onclick: () => download(spec.download.name, DATA.tables[spec.download.table].columns,
          rows)}, `Download these ${rows.length.toLocaleString("en")} rows (CSV)`) : null);
    return el("div", {id: spec.id},
      pager,
      el("div", {class: "table-wrap", tabindex: "0", role: "region",
        "aria-label": spec.caption},
      el("table", {}, el("caption", {class: "sr-only"}, spec.caption), el("thead", {}, head),
        body)));
  }

  function refocus(selector) {
    const node = document.querySelector(selector);
    if (!node) return;
    if (!node.matches("button, a, input, select")) node.setAttribute("tabindex", "-1");
    node.focus();
  }

  // filters: [{key, label, values: [[value, label]...]}] -> a controls block
  function filterControls(view, params, filters, rerender, search) {
    const box = el("div", {class: "controls", role: "search"});
    if (search) {
      const input = el("input", {type: "search", id: `${view}-q`, value: params.get("q") || "",
        placeholder: search.placeholder, autocomplete: "off"});
      let timer = null;
      input.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (input.value) params.set("q", input.value); else params.delete("q");
          params.delete("page");
          rerender();
        }, 120);
      });
      box.append(el("label", {class: "search", for: `${view}-q`}, search.label, input));
    }
    for (const f of filters) {
      const select = el("select", {id: `${view}-${f.key}`, "data-filter": f.key,
        onchange: (e) => {
          if (e.target.value) params.set(f.key, e.target.value); else params.delete(f.key);
          params.delete("page");
          rerender();
        }},
      el("option", {value: ""}, "all"),
      f.values.map(([v, label]) => el("option", {value: v, selected: params.get(f.key) === v},
        label)));
      box.append(el("label", {for: select.id}, f.label, select));
    }
    return box;
  }
  function applyFilters(rows, params, keys) {
    return rows.filter((r) => keys.every((k) => !params.get(k) || String(r[k]) === params.get(k)));
  }

  // ---------------------------------------------------------------------- view: promise tracker
  function viewTracker(params) {
    const out = [el("h2", {}, "Promises and forecasts"),
      el("p", {class: "lede"}, "Every forward statement (target, pledge, proposal, forecast, " +
        "aspiration) with who said it and when, when it is due, the figure promised and the " +
        "figure observed, and whether it was met.")];
    const rows = table("outcomes");
    if (!rows) {
      out.push(missing("This build has no outcomes table (outcomes.csv), so there is no " +
        "promise tracker to show. It comes with prodstats' forward-statement model; rebuild " +
        "with a version that writes it."));
      return out;
    }
    const slip = {};
    (table("target_history") || []).forEach((t) => { slip[t.claim_id] = t.slipped_months; });
    const filters = [
      {key: "actor", label: "Actor", values: uniq(rows.map((r) => r.actor)).map((a) => [a, actorName(a)])},
      {key: "indicator", label: "Indicator", values: uniq(rows.map((r) => r.indicator)).map((a) => [a, a])},
      {key: "status", label: "Status", values: uniq(rows.map((r) => r.status)).map((a) => [a, a])},
    ];
    const holder = el("div");
    const rerender = () => {
      replaceParams("tracker", params);
      const shown = applyFilters(rows, params, ["actor", "indicator", "status"]);
      const columns = [
        {key: "statement_id", label: "Statement", cell: (r) => link({view: "claims", id: r.statement_id}, r.statement_id)},
        {key: "actor", label: "Actor", cell: (r) => actorName(r.actor)},
        {key: "indicator", label: "Indicator", cell: (r) => {
          const measure = r.unit === "dimensionless" ? "index" : "level";
          return hasSeries(r.actor, r.indicator, measure) ? link({view: "series", actor: r.actor,
            indicator: r.indicator, measure}, r.indicator) : r.indicator;
        }},
        {key: "modality", label: "Kind"},
        {key: "value", label: "Promised", num: true, cell: (r) => figure(r.value, r.low, r.high, unitOf(r), r.qualifier)},
        {key: "due", label: "Due", cls: "nowrap"},
        {key: "observed_value", label: "Observed", num: true, cell: (r) => blank(r.observed_value) && blank(r.observed_low) ? "—" : figure(r.observed_value, r.observed_low, r.observed_high, unitOf(r)) + (r.observed_period ? ` in ${r.observed_period}` : "")},
        {key: "status", label: "Status", cell: (r) => [el("span", {class: `badge st-${r.status}`}, r.status),
          // judged on a weak observation: said beside the status, not only at the end of the note
          ["unverified", "disputed"].includes(r.observed_confidence) && ["met", "missed", "undecided"].includes(r.status)
            ? el("span", {class: "weak"}, ` on ${r.observed_confidence === "unverified" ? "an" : "a"} ${r.observed_confidence} observation`) : null]},
        {key: "speaker", label: "Who said it", cell: (r) => blank(r.speaker) ? (r.outlet || "") : r.speaker},
        {key: "said", label: "Said", cls: "nowrap"},
        {key: "ratio", label: "Observed / promised", num: true, cell: (r) => blank(r.ratio) ? "" : `${fmt(r.ratio)}`},
        {key: "slip", label: "Slip", num: true, value: (r) => slip[r.statement_id], cell: (r) => blank(slip[r.statement_id]) ? (blank(r.superseded_by) ? "" : `revised by ${r.superseded_by}`) : `${fmt(slip[r.statement_id])} months`},
        has("outcomes", "error") ? {key: "error", label: "Forecast error", num: true, cell: (r) => blank(r.error) ? "" : `${r.error > 0 ? "+" : ""}${short.format(r.error * 100)} %`} : null,
        {key: "note", label: "Note", cls: "quote"},
      ].filter(Boolean);
      holder.replaceChildren(dataTable({id: "tracker-table", caption: "Promises and forecasts",
        columns, rows: shown, params, view: "tracker", rerender, rowId: (r) => r.statement_id,
        defaultSort: "due", download: {name: "outcomes-filtered.csv", table: "outcomes"}}));
    };
    out.push(filterControls("tracker", params, filters, rerender), holder);
    rerender();
    return out;
  }

  // ---------------------------------------------------------------------- view: series
  let keysCache = null;
  function seriesKeys() {
    if (keysCache) return keysCache;
    const rows = table("series") || [];
    const seen = new Map();
    for (const r of rows) {
      const k = `${r.actor}|${r.indicator}|${r.measure}`;
      if (!seen.has(k)) seen.set(k, {actor: r.actor, indicator: r.indicator, measure: r.measure});
    }
    keysCache = [...seen.values()].sort((a, b) => (a.actor + a.indicator + a.measure)
      .localeCompare(b.actor + b.indicator + b.measure));
    return keysCache;
  }
  function hasSeries(actor, indicator, measure) {
    return seriesKeys().some((k) => k.actor === actor && k.indicator === indicator &&
      k.measure === measure);
  }
  function viewSeries(params) {
    const out = [el("h2", {}, "Series")];
    const rows = table("series");
    if (!rows) return [...out, missing("This build has no series table (series.csv).")];
    const keys = seriesKeys();
    if (!keys.length) return [...out, missing("The series table is empty: no claim was resolved into a series.")];
    let key = keys.find((k) => k.actor === params.get("actor") && k.indicator === params.get("indicator") &&
      (!params.get("measure") || k.measure === params.get("measure")));
    if (!key && params.get("indicator")) {
      out.push(missing(`There is no series of ${actorName(params.get("actor"))}, ` +
        `${params.get("indicator")}${params.get("measure") ? ` (${params.get("measure")})` : ""}: ` +
        "its claims are forward statements or context figures only, or none resolved. " +
        "Another series is shown."));
    }
    if (!key) key = keys.find((k) => k.actor === params.get("actor")) || busiest(rows, keys);
    params.set("actor", key.actor); params.set("indicator", key.indicator); params.set("measure", key.measure);
    const scenario = params.get("scenario") === "no_unverified" ? "no_unverified" : "all";
    const mine = rows.filter((r) => r.actor === key.actor && r.indicator === key.indicator &&
      r.measure === key.measure && r.scenario === scenario);
    const readings = uniq(mine.map((r) => r.reading));
    const reading = readings.includes(params.get("reading")) ? params.get("reading") : readings[0];
    if (readings.length > 1) params.set("reading", reading); else params.delete("reading");
    const points = mine.filter((r) => r.reading === reading)
      .map((r) => ({...r, t: typeof r.t === "number" ? r.t : periodT(r.period)}))
      .sort((a, b) => a.t - b.t);
    replaceParams("series", params);
    const go = (changes) => {
      for (const [k, v] of Object.entries(changes)) if (blank(v)) params.delete(k); else params.set(k, v);
      location.hash = hrefOf({view: "series", ...Object.fromEntries(params.entries())});
    };
    // controls: which series, scenario, log scale
    const controls = el("div", {class: "controls"});
    const pick = el("select", {id: "series-pick", onchange: (e) => {
      const [actor, indicator, measure] = e.target.value.split("|");
      params.delete("reading");
      go({actor, indicator, measure});
    }}, keys.map((k) => el("option", {value: `${k.actor}|${k.indicator}|${k.measure}`,
      selected: k === key}, `${actorName(k.actor)}: ${k.indicator}${k.measure === "level" ? "" : ` (${k.measure})`}`)));
    controls.append(el("label", {for: "series-pick"}, "Series", pick));
    if (readings.length > 1) {
      const rs = el("select", {id: "series-reading", onchange: (e) => go({reading: e.target.value})},
        readings.map((r) => el("option", {value: r, selected: r === reading}, r)));
      controls.append(el("label", {for: "series-reading"}, "Reading", rs));
    }
    const scen = el("fieldset", {}, el("legend", {}, "Scenario"),
      [["all", "every claim"], ["no_unverified", "without unverified"]].map(([v, label]) =>
        el("label", {class: "check"}, el("input", {type: "radio", name: "scenario", value: v,
          checked: v === scenario, onchange: () => go({scenario: v === "all" ? "" : v})}), label)));
    const log = el("label", {class: "check"}, el("input", {type: "checkbox", id: "series-log",
      checked: params.get("log") === "1", onchange: (e) => go({log: e.target.checked ? "1" : ""})}),
    "log scale");
    controls.append(scen, log);
    out.push(controls);
    // the chart's other layers: forward statements and the projection
    const unit = points.length ? points[0].unit : "";
    const observed = points.filter((p) => !FORWARD.includes(p.modality));
    let forward = points.filter((p) => FORWARD.includes(p.modality))
      .map((p) => ({...p, mark: "forward"}));
    const outcomes = table("outcomes");
    if (outcomes) {
      // a promised level on the level chart; a promised ratio on the index of the same base
      const base = /^index \((\d{4}) = 1\)$/.exec(unit || "");
      const fits = (o) => (key.measure === "level" && o.unit === unit) ||
        (key.measure === "index" && o.unit === "dimensionless" && base && String(o.base_period) === base[1]);
      const already = new Set(forward.flatMap((p) => ids(p.claim_ids)));
      forward = forward.concat(outcomes.filter((o) => o.actor === key.actor &&
        o.indicator === key.indicator && fits(o) && !already.has(o.statement_id) &&
        typeof o.value === "number")
        .map((o) => ({period: o.period, t: dueT(o), value: o.value, low: o.low, high: o.high,
          unit: key.measure === "index" ? unit : o.unit, modality: o.modality, confidence: (claimIndex[o.statement_id] || {}).confidence,
          claim_ids: o.statement_id, status: o.status, note: o.note, due: o.due, mark: "forward"})));
      // a forecast ratio ("triple by 2025 compared with 2021") on the level chart, through the
      // level observed in its base period, as the PNG has it: 3 × about 300,000 stands at
      // 900,000 with the base's bounds as its range; claims of its base that differ give
      // only the range
      if (key.measure === "level") {
        forward = forward.concat(outcomes.filter((o) => o.actor === key.actor &&
          o.indicator === key.indicator && o.unit === "dimensionless" &&
          !blank(o.base_period) && !already.has(o.statement_id) && typeof o.value === "number")
          .flatMap((o) => {
            const base = observed.filter((p) => String(p.period) === String(o.base_period) &&
              typeof p.value === "number");
            if (!base.length) return [];
            const values = uniq(base.map((p) => p.value));
            const lows = base.map((p) => blank(p.low) ? p.value : p.low);
            const highs = base.map((p) => p.high);
            const low = o.low * Math.min(...lows);
            const high = blank(o.high) || highs.some(blank) ? null : o.high * Math.max(...highs);
            return [{period: o.period, t: dueT(o), value: values.length === 1 ? o.value * values[0] : (low + (high ?? low)) / 2,
              low, high, unit, modality: o.modality,
              confidence: (claimIndex[o.statement_id] || {}).confidence, claim_ids: o.statement_id,
              status: o.status, note: o.note, due: o.due, mark: "forward",
              derivation: `${o.modality} ratio ${o.value} × level of ${o.base_period}`}];
          }));
      }
      // a capacity goal beside the output it bounds (indicators.csv's bounds), as the PNG has it
      const capacities = Object.entries(DATA.indicators || {})
        .filter(([, meta]) => meta.bounds === key.indicator).map(([id]) => id);
      if (key.measure === "level") {
        forward = forward.concat(outcomes.filter((o) => o.actor === key.actor &&
          capacities.includes(o.indicator) && o.unit === unit && typeof o.value === "number")
          .map((o) => ({period: o.period, t: dueT(o), value: o.value, low: o.low, high: o.high,
            unit: o.unit, modality: o.modality, confidence: (claimIndex[o.statement_id] || {}).confidence,
            claim_ids: o.statement_id, status: o.status, note: o.note, due: o.due,
            mark: "forward", capacity: true})));
      }
    }
    const proj = (table("projections") || []).filter((p) => p.actor === key.actor &&
      p.indicator === key.indicator && p.measure === key.measure && p.scenario === scenario &&
      p.reading === reading && typeof p.mean === "number")
      .map((p) => ({...p, t: periodT(p.period)})).filter((p) => p.t !== null)
      .sort((a, b) => a.t - b.t);
    const logScale = params.get("log") === "1";
    const all = observed.concat(forward);
    const drawable = logScale ? all.filter((p) => p.value > 0) : all;
    const detail = el("div", {class: "detail", id: "point-detail", "aria-live": "polite"},
      el("p", {}, "Hover over a point, or focus the chart and use the arrow keys, to see its figure and the sentence it came from."));
    const box = el("div", {class: "chart-box"});
    let selected = null;
    const draw = () => box.replaceChildren(chart(key, unit, observed, forward, proj, logScale,
      drawable, selected, (p) => { showPoint(detail, p); }));
    draw();
    const chartHolder = el("div", {class: "chart", tabindex: "0", role: "group", id: "series-chart",
      "aria-label": `Chart of ${actorName(key.actor)}, ${key.indicator}; use the left and right arrow keys to step through its points`,
      onkeydown: (e) => {
        if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key) || !drawable.length) return;
        e.preventDefault();
        const order = drawable.slice().sort((a, b) => a.t - b.t);
        let i = selected ? order.indexOf(selected) : -1;
        if (e.key === "ArrowRight") i = Math.min(order.length - 1, i + 1);
        if (e.key === "ArrowLeft") i = Math.max(0, i < 0 ? 0 : i - 1);
        if (e.key === "Home") i = 0;
        if (e.key === "End") i = order.length - 1;
        selected = order[i];
        draw();
        showPoint(detail, selected);
      }}, box);
    out.push(el("h3", {}, `${actorName(key.actor)}: ${key.indicator}` +
      (key.measure === "level" ? "" : ` (${key.measure})`) + (unit ? `, ${unit}` : "")),
    legend(), chartHolder, detail, el("p", {class: "summary", id: "chart-summary"},
      summary(observed, forward, proj, unit, scenario, logScale && drawable.length < all.length,
        clipped(drawable, proj, logScale))));
    if (!proj.length) {
      const why = (table("projections") || []).find((p) => p.actor === key.actor &&
        p.indicator === key.indicator && p.measure === key.measure && p.scenario === scenario &&
        p.reading === reading);
      out.push(el("p", {class: "status-line"}, "No projection" + (why && why.note ? `: ${why.note}` : ".")));
    }
    // the same points as a table
    const columns = [
      {key: "period", label: "Period"},
      {key: "value", label: "Value", num: true},
      {key: "low", label: "Low", num: true},
      {key: "high", label: "High", num: true},
      {key: "unit", label: "Unit"},
      {key: "modality", label: "Modality"},
      {key: "confidence", label: "Confidence", cell: (r) => el("span", {class: `conf-${r.confidence}`}, r.confidence || "")},
      has("series", "value_basis") ? {key: "value_basis", label: "Value basis"} : null,
      {key: "derivation", label: "Derivation"},
      {key: "claim_ids", label: "Claims", cell: (r) => ids(r.claim_ids).map((c, i) =>
        [i ? ", " : "", link({view: "claims", id: c}, c)])},
    ].filter(Boolean);
    const holder = el("div");
    const pointRows = points;
    const rerender = () => {
      replaceParams("series", params);
      holder.replaceChildren(dataTable({id: "series-table", caption: "The points of this series",
        columns, rows: pointRows, params, view: "series", rerender, defaultSort: "period",
        download: {name: `series-${key.actor}-${key.indicator}-${key.measure}.csv`, table: "series"}}));
    };
    rerender();
    if (!has("series", "value_basis")) {
      out.push(el("p", {class: "status-line"}, "This build's series table has no value_basis column."));
    }
    out.push(el("h3", {}, "The points"), holder);
    return out;
  }
  function busiest(rows, keys) { // the series with the most observed points: the first shown
    const count = {};
    for (const r of rows) {
      if (r.scenario !== "all" || FORWARD.includes(r.modality)) continue;
      const k = `${r.actor}|${r.indicator}|${r.measure}`;
      count[k] = (count[k] || 0) + 1;
    }
    let best = keys[0], most = -1;
    for (const k of keys) {
      const n = count[`${k.actor}|${k.indicator}|${k.measure}`] || 0;
      if (n > most) { best = k; most = n; }
    }
    return best;
  }
  function dueT(o) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(o.due || ""));
    if (m) return +m[1] + ((+m[2] - 1) * 30.4 + +m[3]) / 365;
    return periodT(o.period);
  }
  function legend() {
    const item = (label, symbol, colour, hollow) => {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("width", "14"); svg.setAttribute("height", "14");
      svg.setAttribute("aria-hidden", "true");
      const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
      const sym = {circle: d3.symbolCircle, square: d3.symbolSquare, star: d3.symbolStar,
        diamond2: d3.symbolDiamond2, triangle: d3.symbolTriangle}[symbol];
      path.setAttribute("d", d3.symbol(sym, 70)());
      path.setAttribute("transform", "translate(7,7)");
      path.setAttribute("fill", hollow ? "white" : colour);
      path.setAttribute("stroke", colour);
      path.setAttribute("stroke-width", "1.5");
      svg.append(path);
      return el("li", {}, svg, " ", label);
    };
    return el("ul", {class: "legend", "aria-label": "Legend"},
      CONFIDENCES.map((c) => item(c, "circle", COLOUR[c], HOLLOW[c])),
      item("estimate", "square", "#555", false),
      item("target", "star", "#555", true),
      item("pledge / proposal", "diamond2", "#555", true),
      item("forecast / aspiration", "triangle", "#555", true),
      el("li", {}, "↑ a floor: 'more than', 'at least'"),
      el("li", {}, "shaded: projection, 80 % and 95 % intervals"));
  }
  function yDomain(drawable, proj, logScale) {
    const top = yTop(drawable, proj);
    if (top === null) return undefined;
    if (!logScale) {
      const lows = drawable.map((p) => Math.min(p.value, blank(p.low) ? p.value : p.low))
        .concat(proj.map((p) => p.pi80_low)).filter((v) => typeof v === "number");
      return [Math.min(0, ...lows), top];
    }
    const lows = drawable.map((p) => (p.low > 0 ? p.low : p.value)).filter((v) => v > 0);
    return lows.length ? [Math.min(...lows) / 1.2, top] : undefined;
  }
  function chart(key, unit, observed, forward, proj, logScale, drawable, selected, onPoint) {
    const width = Math.max(260, Math.min(1100, main.clientWidth - 48));
    const positive = (rows, col) => logScale ? rows.filter((r) => r[col] > 0) : rows;
    const obs = positive(observed, "value");
    const fwd = positive(forward, "value");
    const bounded = drawable.filter((p) => !blank(p.low) && !blank(p.high) && p.low !== p.high &&
      (!logScale || p.low > 0));
    const projection = logScale ? proj.filter((p) => p.pi95_low > 0) : proj;
    const marks = [
      Plot.areaY(projection, {x: "t", y1: "pi95_low", y2: "pi95_high", fill: "#56B4E9", fillOpacity: 0.18, clip: true}),
      Plot.areaY(projection, {x: "t", y1: "pi80_low", y2: "pi80_high", fill: "#56B4E9", fillOpacity: 0.3, clip: true}),
      Plot.line(projection, {x: "t", y: "mean", stroke: "#0072B2", strokeDasharray: "5,4"}),
      Plot.ruleX(bounded, {x: "t", y1: "low", y2: "high", stroke: (d) => COLOUR[d.confidence] || "#555", strokeWidth: 2, strokeOpacity: 0.7}),
      Plot.line(joined(obs), {x: "t", y: "value", stroke: "#888", strokeWidth: 1}),
      // a floor ("more than 600,000": no upper bound) is an arrow up from its figure
      Plot.text(obs.filter((p) => blank(p.high) && !blank(p.value)), {x: "t", y: "value",
        text: () => "↑", dy: -14, fontSize: 18, fontWeight: "bold",
        fill: (d) => COLOUR[d.confidence] || "#555"}),
      Plot.dot(obs, {x: "t", y: "value", r: 5, symbol: (d) => SYMBOL[d.modality] || "circle",
        stroke: (d) => COLOUR[d.confidence] || "#555", strokeWidth: 1.8,
        fill: (d) => HOLLOW[d.confidence] ? "white" : (COLOUR[d.confidence] || "#555")}),
      Plot.dot(fwd, {x: "t", y: "value", r: 7, symbol: (d) => SYMBOL[d.modality] || "star",
        stroke: (d) => COLOUR[d.confidence] || "#555", strokeWidth: 1.8, fill: "white"}),
      // each forward statement labelled as in the static charts: its kind, and its status
      // where the promise tracker has judged it
      Plot.text(fwd, {x: "t", y: "value", dy: -13, fontSize: 10, fill: "#333",
        text: (d) => `${d.capacity ? "capacity " : ""}${d.modality}${d.status ? `: ${d.status}` : ""}`}),
      Plot.dot(drawable, Plot.pointer({x: "t", y: "value", r: 11, stroke: "#000", strokeWidth: 2, fill: "none", maxRadius: 30})),
    ];
    if (selected) marks.push(Plot.dot([selected], {x: "t", y: "value", r: 11, stroke: "#000", strokeWidth: 2.5, fill: "none"}));
    const ts = drawable.map((p) => p.t).concat(projection.map((p) => p.t));
    const span = ts.length ? [Math.floor(Math.min(...ts)), Math.ceil(Math.max(...ts))] : [0, 1];
    if (span[0] === span[1]) span[1] += 1;
    const plot = Plot.plot({
      width, height: Math.round(Math.min(360, Math.max(240, width * 0.45))),
      marginLeft: 64, marginRight: 20,
      style: {fontSize: "12px", background: "white"},
      ariaLabel: `${actorName(key.actor)}, ${key.indicator}`,
      ariaDescription: "A chart of the series; its points are listed in the table below it.",
      x: {label: "year", tickFormat: "d", domain: span, ticks: Math.min(span[1] - span[0], width < 500 ? 4 : 10)},
      y: {label: unit, type: logScale ? "log" : "linear", grid: true, nice: true,
        domain: yDomain(drawable, projection, logScale),
        tickFormat: "~s"},
      marks,
    });
    plot.addEventListener("input", () => { if (plot.value) onPoint(plot.value); });
    return plot;
  }
  // The y axis covers the points, their bounds and the 80 % interval; a 95 % interval far
  // beyond them is cut at the frame (and said so) rather than squeezing the data into a strip.
  function yTop(drawable, proj) {
    const tops = drawable.map((p) => Math.max(p.value, blank(p.high) ? p.value : p.high))
      .concat(proj.map((p) => p.pi80_high)).filter((v) => typeof v === "number");
    return tops.length ? Math.max(...tops) * 1.08 : null;
  }
  function clipped(drawable, proj, logScale) {
    // the frame's top is the domain's top rounded as Plot rounds it (nice: true)
    const domain = yDomain(drawable, proj, logScale);
    if (!domain) return false;
    const top = (logScale ? d3.scaleLog() : d3.scaleLinear()).domain(domain).nice().domain()[1];
    return proj.some((p) => p.pi95_high > top);
  }
  // The line joins periods in time order, one figure each; a period whose claims give
  // different figures breaks it (a gap), so no line runs through claims that contradict
  // each other or picks one of them.
  function joined(points) {
    const byT = new Map();
    points.forEach((p) => {
      if (!byT.has(p.t)) byT.set(p.t, new Set());
      byT.get(p.t).add(blank(p.value) ? NaN : p.value);
    });
    return [...byT.keys()].sort((a, b) => a - b).map((t) => {
      const values = [...byT.get(t)];
      return {t, value: values.length === 1 ? values[0] : NaN};
    });
  }
  function summary(observed, forward, proj, unit, scenario, dropped, cut) {
    const parts = [];
    if (observed.length) {
      const sorted = [...observed].sort((a, b) => a.t - b.t);
      const first = sorted[0], last = sorted[sorted.length - 1];
      const latest = sorted.filter((p) => p.t === last.t);
      const values = [...new Set(latest.map((p) => p.value).filter((v) => !blank(v)))];
      // several claims of the latest period that differ: their range, never one of them
      const said = values.length <= 1
        ? `${figure(last.value, last.low, last.high, unit)} (${last.confidence || "no confidence"})`
        : `${latest.length} claims that differ, ${fmt(Math.min(...values))}–${fmt(Math.max(...values))} ${unit}`;
      parts.push(`${observed.length} observed ${observed.length === 1 ? "point" : "points"}` +
        (observed.length > 1 ? ` from ${first.period} to ${last.period}` : ` (${first.period})`) +
        `; the latest, ${last.period}: ${said}.`);
    } else parts.push("No observed point.");
    if (forward.length) parts.push(`${forward.length} forward ${forward.length === 1 ? "statement" : "statements"} (targets, pledges, proposals or forecasts).`);
    if (proj.length) {
      const end = proj[proj.length - 1];
      const f = (v) => short.format(v);
      parts.push(`Projected to ${end.period}: ${f(end.mean)} ${unit} (80 % interval ${f(end.pi80_low)}–${f(end.pi80_high)}; 95 % ${f(end.pi95_low)}–${f(end.pi95_high)}; method ${end.method}).`);
      if (cut) parts.push("The 95 % interval reaches beyond the top of the chart.");
    }
    parts.push(scenario === "all" ? "Scenario: every claim." : "Scenario: without unverified claims.");
    if (dropped) parts.push("Points at zero or below are not drawn on the log scale.");
    return parts.join(" ");
  }
  function showPoint(box, p) {
    const rows = [["Figure", figure(p.value, p.low, p.high, p.unit)], ["Period", p.period],
      ["Modality", p.modality], ["Confidence", p.confidence]];
    if ("value_basis" in p) rows.push(["Value basis", p.value_basis]);
    if (!blank(p.derivation)) rows.push(["Derivation", p.derivation]);
    if (!blank(p.status)) rows.push(["Status", p.status], ["Due", p.due], ["Note", p.note]);
    const claims = ids(p.claim_ids).map((id) => claimIndex[id]).filter(Boolean);
    box.replaceChildren(
      el("h4", {}, p.mark === "forward" ? "Forward statement" : "Point"),
      el("dl", {}, rows.filter(([, v]) => !blank(v)).map(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))])),
      ...(claims.length ? claims.map((c) => claimBlock(c)) :
        [el("p", {}, "No claim of its own: this point is derived (see Derivation).")]));
  }
  function claimBlock(c) {
    const source = sourceIndex[c.source_id] || {};
    return el("div", {class: "claim-block"},
      el("blockquote", {class: "q", lang: source.language || null}, c.quote || ""),
      blank(c.quote_en) ? null : el("p", {class: "en"}, "English: ", el("span", {class: "q-en"}, c.quote_en)),
      el("dl", {},
        [["Speaker", [c.speaker, c.speaker_role].filter((x) => !blank(x)).join(", ") || "the outlet"],
          ["Outlet", source.outlet], ["Date", source.published], ["Confidence", c.confidence],
          ["Modality", c.modality], ["Value basis", c.value_basis]]
          .filter(([, v]) => !blank(v)).map(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))])),
      el("p", {}, link({view: "claims", id: c.claim_id}, `claim ${c.claim_id}`), " · ",
        link({view: "sources", id: c.source_id, claim: c.claim_id}, "the sentence in its source")));
  }

  // ---------------------------------------------------------------------- view: claims
  let haystack = null;
  function viewClaims(params) {
    const out = [el("h2", {}, "Claims"), el("p", {class: "lede"},
      "Every coded claim. Search looks through quotes (and their English rendering), speakers, outlets and ids.")];
    const rows = table("claims");
    if (!rows) return [...out, missing("This build has no claims table (claims.csv).")];
    if (!haystack) {
      haystack = rows.map((c) => fold([c.claim_id, c.quote, c.quote_en, c.speaker, c.speaker_role,
        (sourceIndex[c.source_id] || {}).outlet, c.source_id].join(" \u0001 ")));
    }
    const filters = [
      {key: "actor", label: "Actor", values: uniq(rows.map((r) => r.actor)).map((a) => [a, actorName(a)])},
      {key: "indicator", label: "Indicator", values: uniq(rows.map((r) => r.indicator)).map((a) => [a, a])},
      {key: "modality", label: "Modality", values: uniq(rows.map((r) => r.modality)).map((a) => [a, a])},
      {key: "confidence", label: "Confidence", values: uniq(rows.map((r) => r.confidence)).map((a) => [a, a])},
      {key: "source_id", label: "Source", values: uniq(rows.map((r) => r.source_id)).map((a) => [a, a])},
    ];
    const holder = el("div");
    const extra = [];
    if (!has("claims", "value_basis")) extra.push("value_basis");
    if (!has("claims", "same_as")) extra.push("same_as");
    const columns = [
      {key: "claim_id", label: "Claim", cell: (r) => el("span", {id: `claim-${r.claim_id}`}, r.claim_id)},
      {key: "quote", label: "Quote", cls: "quote", cell: (r) => [el("span", {class: "q"}, r.quote || ""),
        blank(r.quote_en) ? null : el("span", {class: "en"}, r.quote_en)]},
      {key: "value", label: "Figure", num: true, cell: (r) => figure(r.value, r.value_low, r.value_high, unitOf(r), r.qualifier)},
      {key: "period", label: "Period"},
      {key: "modality", label: "Modality"},
      {key: "confidence", label: "Confidence", cell: (r) => el("span", {class: `conf-${r.confidence}`}, r.confidence || "")},
      {key: "speaker", label: "Speaker", cell: (r) => blank(r.speaker) ? "" : r.speaker},
      {key: "outlet", label: "Outlet", value: (r) => (sourceIndex[r.source_id] || {}).outlet, cell: (r) => (sourceIndex[r.source_id] || {}).outlet || ""},
      {key: "published", label: "Date", cls: "nowrap", value: (r) => (sourceIndex[r.source_id] || {}).published, cell: (r) => (sourceIndex[r.source_id] || {}).published || ""},
      {key: "actor", label: "Actor"},
      {key: "indicator", label: "Indicator"},
      has("claims", "value_basis") ? {key: "value_basis", label: "Value basis"} : null,
      has("claims", "same_as") ? {key: "same_as", label: "Same as", cell: (r) => blank(r.same_as) ? "" : link({view: "claims", id: r.same_as}, r.same_as)} : null,
      {key: "links", label: "See", cell: (r) => [
        hasSeries(r.actor, r.indicator, measureOf(r)) ? [link({view: "series", actor: r.actor,
          indicator: r.indicator, measure: measureOf(r)}, "series", {class: "to-series"}), " · "] : null,
        link({view: "sources", id: r.source_id, claim: r.claim_id}, "source", {class: "to-source"})]},
    ].filter(Boolean);
    const rerender = () => {
      replaceParams("claims", params);
      const q = fold(params.get("q") || "").trim();
      const terms = q.split(/\s+/).filter(Boolean);
      let shown = rows;
      if (terms.length) shown = rows.filter((_, i) => terms.every((t) => haystack[i].includes(t)));
      const only = params.get("id");
      if (only) shown = shown.filter((r) => r.claim_id === only);
      one.replaceChildren(...(only ? [`Showing claim ${only} only. `,
        link({view: "claims"}, "Show all claims")] : []));
      shown = applyFilters(shown, params, ["actor", "indicator", "modality", "confidence", "source_id"]);
      holder.replaceChildren(dataTable({id: "claims-table", caption: "Claims", columns, rows: shown,
        params, view: "claims", rerender, rowId: (r) => r.claim_id,
        download: {name: "claims-filtered.csv", table: "claims"}}));
    };
    const one = el("p", {class: "status-line", id: "claims-one"});
    out.push(filterControls("claims", params, filters, rerender,
      {label: "Search", placeholder: "e.g. drones, Umerov, dpa"}), one);
    if (extra.length) out.push(el("p", {class: "status-line"}, `This build's claims table has no ${extra.join(" or ")} column.`));
    out.push(holder);
    rerender();
    return out;
  }

  // ---------------------------------------------------------------------- view: sources
  function viewSources(params) {
    const out = [el("h2", {}, "Sources")];
    const rows = table("sources");
    if (!rows) return [...out, missing("This build has no sources table (sources.csv).")];
    const id = params.get("id");
    const source = id && sourceIndex[id];
    if (!source) {
      const counts = {};
      (table("claims") || []).forEach((c) => { counts[c.source_id] = (counts[c.source_id] || 0) + 1; });
      const holder = el("div");
      const columns = [
        {key: "source_id", label: "Source", cell: (r) => link({view: "sources", id: r.source_id}, r.source_id)},
        {key: "outlet", label: "Outlet"}, {key: "title", label: "Title", cls: "quote"},
        {key: "published", label: "Published"}, {key: "language", label: "Language"},
        {key: "claims", label: "Claims", num: true, value: (r) => counts[r.source_id] || 0, cell: (r) => fmt(counts[r.source_id] || 0)},
      ];
      const rerender = () => {
        replaceParams("sources", params);
        holder.replaceChildren(dataTable({id: "sources-table", caption: "Sources", columns, rows,
          params, view: "sources", rerender, rowId: (r) => r.source_id,
          download: {name: "sources.csv", table: "sources"}}));
      };
      rerender();
      if (id) out.push(missing(`There is no source '${id}' in this build.`));
      out.push(el("p", {class: "lede"}, "Every source text, with its coded quotes highlighted."), holder);
      return out;
    }
    out.push(el("p", {}, link({view: "sources"}, "← all sources")));
    out.push(el("h3", {}, source.title || source.source_id));
    const meta = el("dl", {class: "meta"});
    for (const [k, v] of Object.entries(source)) {
      if (blank(v)) continue;
      const safe = k === "url" && /^https?:\/\//i.test(String(v));
      meta.append(el("dt", {}, k), el("dd", {}, safe ? el("a", {href: String(v), rel: "noopener noreferrer"}, String(v)) : String(v)));
    }
    out.push(meta);
    const claims = (table("claims") || []).filter((c) => c.source_id === id);
    const textBox = el("div", {class: "source-text", id: "source-text", lang: source.language || null}, "Loading the text…");
    out.push(el("h3", {}, "Archived text"), el("p", {class: "status-line"},
      "Highlighted: a coded quote, linked to its claim. Dotted: a figure deliberately not coded, with the reason."));
    if (DATA.skipped_error) out.push(missing(`Skipped figures are not marked: ${DATA.skipped_error}`));
    out.push(textBox);
    out.push(el("h3", {}, `Its ${claims.length} ${claims.length === 1 ? "claim" : "claims"}`),
      el("p", {}, link({view: "claims", source_id: id}, "Show them in the claims table")));
    const path = DATA.texts && DATA.texts[id];
    if (!path) {
      textBox.replaceChildren(missing("The archived text of this source is not in this build."));
    } else {
      loadText(id, path).then((doc) => {
        renderText(textBox, doc, params.get("claim"));
      }).catch(() => textBox.replaceChildren(missing(`The text file ${path} could not be loaded.`)));
    }
    return out;
  }
  function loadText(id, path) {
    const have = window.PRODSTATS_TEXTS && window.PRODSTATS_TEXTS[id];
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const script = el("script", {src: path});
      script.onload = () => (window.PRODSTATS_TEXTS && window.PRODSTATS_TEXTS[id] ? resolve(window.PRODSTATS_TEXTS[id]) : reject());
      script.onerror = reject;
      document.head.append(script);
    });
  }
  function renderText(box, doc, current) {
    const text = doc.text;
    const nodes = [];
    const ends = {}; // claim id -> index of the last segment it covers
    doc.segments.forEach(([, , claims], i) => claims.forEach((c) => { ends[c] = i; }));
    const started = new Set();
    doc.segments.forEach(([start, end, claims, skip], i) => {
      const piece = text.slice(start, end);
      if (claims.length) {
        const mark = el("mark", {class: "quote" + (claims.includes(current) ? " current" : ""),
          "data-claims": claims.join(" "), title: `claim ${claims.join(", ")}`}, piece);
        for (const c of claims) if (!started.has(c)) { started.add(c); mark.id = mark.id || `q-${c}`; }
        if (claims.includes(current) && !mark.id) mark.id = `q-${current}`;
        nodes.push(mark);
      } else if (skip) {
        nodes.push(el("mark", {class: "skip", title: `skipped: ${skip}`}, piece));
      } else nodes.push(document.createTextNode(piece));
      if (skip && (i + 1 >= doc.segments.length || doc.segments[i + 1][3] !== skip)) {
        nodes.push(el("span", {class: "tag skipnote"}, `[skipped: ${skip}]`));
      }
      for (const c of claims) {
        if (ends[c] === i) nodes.push(el("a", {class: "tag", href: hrefOf({view: "claims", id: c}),
          "data-claim": c}, `[${c}]`));
      }
    });
    box.replaceChildren(...nodes);
    if (current) {
      const target = document.getElementById(`q-${current}`);
      if (target) {
        target.setAttribute("tabindex", "-1");
        target.scrollIntoView({block: "center"});
        target.focus({preventScroll: true});
      } else box.before(missing(`The quote of claim ${current} was not found in this text.`));
    }
  }

  // ---------------------------------------------------------------------- view: downloads
  function viewDownloads() {
    const rows = (DATA.downloads || []).map((d) => el("tr", {},
      el("td", {}, el("a", {href: `downloads/${d.name}`, download: d.name}, d.name)),
      el("td", {class: "num"}, d.rows.toLocaleString("en")),
      el("td", {class: "num"}, `${(d.bytes / 1024).toFixed(1)} kB`)));
    return [el("h2", {}, "Downloads"),
      el("p", {class: "lede"}, "The published tables, exactly as the build wrote them, with a Frictionless datapackage.json that describes every column. Each table on this page also has a button that downloads the rows it shows, filters applied."),
      el("div", {class: "table-wrap"}, el("table", {},
        el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "File"), el("th", {scope: "col"}, "Rows"), el("th", {scope: "col"}, "Size"))),
        el("tbody", {}, rows))),
      el("p", {}, el("a", {href: "downloads/datapackage.json", download: "datapackage.json"}, "datapackage.json"),
        " — the descriptor of the tables (names, types, units, descriptions).")];
  }

  // ---------------------------------------------------------------------- router
  const RENDER = {tracker: viewTracker, series: viewSeries, claims: viewClaims,
    sources: viewSources, downloads: viewDownloads};
  let lastView = null;
  function render() {
    const {view, params} = parseHash();
    for (const a of document.querySelectorAll("nav a")) {
      if (a.dataset.view === view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    }
    const nodes = RENDER[view](params);
    main.replaceChildren(...nodes);
    main.dataset.view = view;
    document.title = `${view[0].toUpperCase()}${view.slice(1)} · prodstats`;
    if (lastView !== null && lastView !== view) main.focus({preventScroll: true});
    lastView = view;
    // read by make bench: the next frame after the view is in the document, once painted
    requestAnimationFrame(() => setTimeout(() => performance.mark(`prodstats:drawn:${view}`)));
  }
  function start() {
    if (!DATA) {
      main.replaceChildren(missing("The page's data (data/site.js) did not load."));
      return;
    }
    document.getElementById("skip").addEventListener("click", (e) => {
      e.preventDefault(); main.focus();
    });
    if (DATA.version) document.getElementById("footer").prepend(`prodstats ${DATA.version}. `);
    window.addEventListener("hashchange", render);
    let width = main.clientWidth, timer = null; // a chart is drawn to the window's width
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (Math.abs(main.clientWidth - width) > 40 && parseHash().view === "series") render();
        width = main.clientWidth;
      }, 200);
    });
    render();
    document.body.dataset.ready = "1";
  }
  start();
})();
