// dateline dashboard: a small hash-routed single-page app over the /api endpoints.
// Views: timeline, network, map, events table, articles (list and article view), corrections.
import * as d3 from "d3";
import { feature } from "topojson-client";

const QUADS = [
  { key: "q1", label: "verbal cooperation", color: "var(--q1)" },
  { key: "q2", label: "material cooperation", color: "var(--q2)" },
  { key: "q3", label: "verbal conflict", color: "var(--q3)" },
  { key: "q4", label: "material conflict", color: "var(--q4)" },
];
const QUAD_FILL = ["#74c476", "#238b45", "#fd8d3c", "#d7301f"];
const view = document.getElementById("view");
const scopeForm = document.getElementById("scope");
let pending = 0;

// ---- helpers -----------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

function busy(delta) {
  pending += delta;
  document.getElementById("loading").hidden = pending <= 0;
  view.setAttribute("aria-busy", pending > 0 ? "true" : "false");
}

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message || "";
  box.hidden = !message;
}

async function api(path, params = {}, init = {}) {
  const url = new URL("api/" + path, document.baseURI);
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined) url.searchParams.set(k, v);
  busy(1);
  try {
    const res = await fetch(url, init);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error((body.error && body.error.message) || res.statusText);
      err.status = res.status;
      throw err;
    }
    return body;
  } finally {
    busy(-1);
  }
}

function scope() {
  const data = Object.fromEntries(new FormData(scopeForm).entries());
  for (const k of Object.keys(data)) if (!data[k]) delete data[k];
  return data;
}

function filtersOnly(s) {
  const { interval, ...rest } = s;
  return rest;
}

function quadClass(q) { return q >= 1 && q <= 4 ? `q${q}` : ""; }

function actorLabel(code, text) {
  return text ? `${code || "?"} (${text})` : code || "—";
}

function periodEnd(period, interval) {
  const d = new Date(period + "T00:00:00Z");
  if (interval === "week") d.setUTCDate(d.getUTCDate() + 6);
  else if (interval === "month") { d.setUTCMonth(d.getUTCMonth() + 1); d.setUTCDate(0); }
  return d.toISOString().slice(0, 10);
}

// ---- events table (shared by timeline day list and events view) --------------------------

function eventRow(e) {
  const corrected = e.corrections && e.corrections.length;
  return el("tr", { class: corrected ? "corrected" : null, dataset: { eventId: e.id } },
    el("td", {}, e.date || el("span", { class: "muted" }, "—")),
    el("td", { class: "code" }, actorLabel(e.source, e.source_text)),
    el("td", {}, el("span", { class: "code" }, e.cameo), " ", e.name,
      corrected ? el("span", { class: "tag correction" }, `${e.corrections.length} correction(s)`) : null),
    el("td", { class: "code" }, actorLabel(e.target, e.target_text)),
    el("td", {}, e.goldstein?.toFixed?.(1) ?? ""),
    el("td", {}, e.place ? e.place.name || e.place.country : ""),
    el("td", {}, e.num_articles ?? ""),
    el("td", {}, el("a", { href: `#/article/${e.story_id}?event=${e.id}` }, e.title || e.story_id)),
  );
}

function eventTable(items) {
  const head = el("tr", {}, ...["date", "source", "event", "target", "Goldstein", "place", "articles", "article"].map((h) => el("th", {}, h)));
  return el("table", { class: "events-table" }, el("thead", {}, head), el("tbody", {}, items.map(eventRow)));
}

async function pagedEvents(container, params) {
  container.replaceChildren(el("p", { class: "muted" }, "Loading events…"));
  const first = await api("events", { ...params, limit: 50 });
  const table = eventTable(first.items);
  const tbody = table.querySelector("tbody");
  const count = el("p", { class: "muted" }, `${first.items.length} events shown`);
  container.replaceChildren(count, table);
  let cursor = first.next_cursor;
  let shown = first.items.length;
  if (!cursor) return;
  const more = el("button", { type: "button", class: "more" }, "Load more");
  more.addEventListener("click", async () => {
    more.disabled = true;
    const page = await api("events", { ...params, limit: 50, cursor });
    page.items.forEach((e) => tbody.append(eventRow(e)));
    shown += page.items.length;
    count.textContent = `${shown} events shown`;
    cursor = page.next_cursor;
    if (cursor) more.disabled = false; else more.remove();
  });
  container.append(more);
}

// ---- timeline --------------------------------------------------------------------------

async function renderTimeline() {
  const s = scope();
  const interval = s.interval || "day";
  const params = { ...filtersOnly(s), interval };
  const legend = el("div", { class: "legend" }, QUADS.map((q) => el("span", {}, el("i", { style: `background:${q.color}` }), q.label)),
    el("span", {}, el("i", { style: "background:#2851a3;height:2px" }), "mean Goldstein"));
  const chart = el("div", { class: "timeline-wrap", id: "timeline-chart" });
  const dayList = el("div", { id: "day-events" }, el("p", { class: "muted" }, "Click a bar to list that period's events."));
  const title = s.dyad ? `dyad ${s.dyad.replace("-", "–")}` : s.country ? `country ${s.country}` : "all actors";
  view.replaceChildren(el("section", { class: "panel" }, el("h2", {}, `Cooperation and conflict — ${title}`), legend, chart),
    el("section", { class: "panel" }, el("h3", { id: "day-title" }, "Events"), dayList));
  const data = await api("aggregates", params);
  // A long daily series over years would draw hair-thin bars: keep only periods with events.
  const compress = data.series.length > 120;
  const series = compress ? data.series.filter((d) => d.events > 0) : data.series;
  if (compress) legend.append(el("span", { class: "muted" }, `(${interval}s without events hidden)`));
  drawTimeline(chart, series, interval, async (period) => {
    chart.querySelectorAll(".selected-day").forEach((n) => n.classList.remove("selected-day"));
    chart.querySelector(`rect.day-hit[data-period="${period}"]`)?.classList.add("selected-day");
    document.getElementById("day-title").textContent = `Events of ${interval} ${period}`;
    await pagedEvents(dayList, { ...filtersOnly(s), date_from: period, date_to: periodEnd(period, interval) });
  });
}

function drawTimeline(container, series, interval, onPick) {
  if (!series.length) {
    container.replaceChildren(el("p", { class: "muted empty" }, "No dated events for this selection."));
    return;
  }
  const W = 1100, H = 320, m = { t: 12, r: 44, b: 48, l: 40 };
  const svg = d3.select(container).append("svg").attr("viewBox", `0 0 ${W} ${H}`);
  const x = d3.scaleBand().domain(series.map((d) => d.period)).range([m.l, W - m.r]).padding(0.15);
  const yMax = d3.max(series, (d) => d.events) || 1;
  const y = d3.scaleLinear().domain([0, yMax]).nice().range([H - m.b, m.t]);
  const g = d3.scaleLinear().domain([-10, 10]).range([H - m.b, m.t]);
  const stack = d3.stack().keys(["q1", "q2", "q3", "q4"])(series);
  svg.append("g").selectAll("rect.day-hit").data(series).join("rect")
    .attr("class", "day-hit").attr("data-period", (d) => d.period)
    .attr("x", (d) => x(d.period)).attr("width", x.bandwidth()).attr("y", m.t).attr("height", H - m.b - m.t)
    .on("click", (_, d) => onPick(d.period)).append("title").text((d) => `${d.period}: ${d.events} events`);
  stack.forEach((layer, i) => {
    svg.append("g").attr("fill", QUAD_FILL[i]).selectAll("rect").data(layer).join("rect")
      .attr("class", "bar").attr("data-period", (d) => d.data.period).attr("data-quad", i + 1)
      .attr("x", (d) => x(d.data.period)).attr("width", x.bandwidth())
      .attr("y", (d) => y(d[1])).attr("height", (d) => y(d[0]) - y(d[1]))
      .on("click", (_, d) => onPick(d.data.period));
  });
  const line = d3.line().defined((d) => d.goldstein_mean !== null)
    .x((d) => x(d.period) + x.bandwidth() / 2).y((d) => g(d.goldstein_mean));
  svg.append("path").datum(series).attr("fill", "none").attr("stroke", "#2851a3").attr("stroke-width", 2).attr("d", line);
  svg.append("g").selectAll("circle").data(series.filter((d) => d.goldstein_mean !== null)).join("circle")
    .attr("r", 3).attr("fill", "#2851a3").attr("cx", (d) => x(d.period) + x.bandwidth() / 2).attr("cy", (d) => g(d.goldstein_mean));
  const every = Math.max(1, Math.ceil(series.length / 14));
  svg.append("g").attr("transform", `translate(0,${H - m.b})`)
    .call(d3.axisBottom(x).tickValues(series.map((d) => d.period).filter((_, i) => i % every === 0)));
  svg.append("g").attr("transform", `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(5));
  svg.append("g").attr("transform", `translate(${W - m.r},0)`).call(d3.axisRight(g).ticks(5));
  svg.append("text").attr("x", W - m.r + 4).attr("y", m.t - 2).text("Goldstein");
  svg.append("text").attr("x", 4).attr("y", m.t - 2).text("events");
  container.dataset.interval = interval;
}

// ---- network ---------------------------------------------------------------------------

async function renderNetwork() {
  const s = filtersOnly(scope());
  const wrap = el("div", { class: "net-wrap", id: "network-chart" });
  view.replaceChildren(el("section", { class: "panel" }, el("h2", {}, "Who acts on whom"),
    el("div", { class: "legend" }, el("span", {}, "edge colour: mean Goldstein, red (conflict) → green (cooperation); width: events")), wrap));
  const data = await api("aggregates/dyads", { ...s, directed: true, limit: 150 });
  const edges = data.items.filter((d) => d.source && d.target && d.source !== d.target);
  if (!edges.length) { wrap.replaceChildren(el("p", { class: "muted empty" }, "No actor pairs for this selection.")); return; }
  const nodesById = new Map();
  for (const e of edges) for (const id of [e.source, e.target]) {
    const n = nodesById.get(id) || { id, events: 0 };
    n.events += e.events;
    nodesById.set(id, n);
  }
  const nodes = [...nodesById.values()];
  const links = edges.map((e) => ({ ...e }));
  const W = 1100, H = 620;
  const svg = d3.select(wrap).append("svg").attr("viewBox", `0 0 ${W} ${H}`);
  svg.append("defs").append("marker").attr("id", "arrow").attr("viewBox", "0 -4 8 8").attr("refX", 16).attr("markerWidth", 8)
    .attr("markerHeight", 8).attr("markerUnits", "userSpaceOnUse").attr("orient", "auto").append("path").attr("d", "M0,-4L8,0L0,4").attr("fill", "#98a2b3");
  const colour = d3.scaleSequential(d3.interpolateRdYlGn).domain([-10, 10]);
  const width = d3.scaleSqrt().domain([1, d3.max(links, (d) => d.events)]).range([1, 9]);
  const radius = d3.scaleSqrt().domain([1, d3.max(nodes, (d) => d.events)]).range([4, 18]);
  const link = svg.append("g").selectAll("line").data(links).join("line").attr("class", "edge")
    .attr("stroke", (d) => colour(d.goldstein_mean ?? 0)).attr("stroke-width", (d) => width(d.events))
    .attr("marker-end", "url(#arrow)");
  link.append("title").text((d) => `${d.source} → ${d.target}: ${d.events} events, mean Goldstein ${d.goldstein_mean?.toFixed(1)}`);
  const node = svg.append("g").selectAll("g").data(nodes).join("g").attr("class", "node").attr("data-actor", (d) => d.id);
  node.append("circle").attr("r", (d) => radius(d.events));
  node.append("text").attr("dx", (d) => radius(d.events) + 3).attr("dy", 3).text((d) => d.id);
  node.style("cursor", "pointer").on("click", (_, d) => { location.hash = `#/events?actor=${encodeURIComponent(d.id)}`; });
  const sim = d3.forceSimulation(nodes)
    .force("link", d3.forceLink(links).id((d) => d.id).distance(110))
    .force("charge", d3.forceManyBody().strength(-260))
    .force("center", d3.forceCenter(W / 2, H / 2))
    .force("x", d3.forceX(W / 2).strength(0.06))
    .force("y", d3.forceY(H / 2).strength(0.1))
    .force("collide", d3.forceCollide().radius((d) => radius(d.events) + 6));
  sim.on("tick", () => {
    for (const n of nodes) { n.x = Math.max(20, Math.min(W - 40, n.x)); n.y = Math.max(20, Math.min(H - 20, n.y)); }
    link.attr("x1", (d) => d.source.x).attr("y1", (d) => d.source.y).attr("x2", (d) => d.target.x).attr("y2", (d) => d.target.y);
    node.attr("transform", (d) => `translate(${d.x},${d.y})`);
  });
  // A fixed number of ticks keeps the layout finished before a screenshot is taken.
  sim.stop();
  for (let i = 0; i < 300; i++) sim.tick();
  sim.on("tick")();
}

// ---- map -------------------------------------------------------------------------------

async function renderMap() {
  const s = filtersOnly(scope());
  const wrap = el("div", { class: "map-wrap", id: "map-chart" });
  view.replaceChildren(el("section", { class: "panel" }, el("h2", {}, "Where events happen"), wrap));
  busy(1);
  let world;
  try { world = await (await fetch(new URL("static/world-110m.json", document.baseURI))).json(); } finally { busy(-1); }
  const places = await api("places", { ...s, limit: 500 });
  const W = 1100, H = 560;
  const proj = d3.geoNaturalEarth1().fitSize([W, H], { type: "Sphere" });
  const path = d3.geoPath(proj);
  const svg = d3.select(wrap).append("svg").attr("viewBox", `0 0 ${W} ${H}`);
  svg.append("path").attr("d", path({ type: "Sphere" })).attr("fill", "#f4f8fc").attr("stroke", "#d0d5dd");
  svg.append("g").selectAll("path").data(feature(world, world.objects.countries).features).join("path")
    .attr("class", "country").attr("d", path).append("title").text((d) => d.properties.name);
  const located = places.items.filter((p) => p.lat !== null && p.lon !== null);
  const r = d3.scaleSqrt().domain([1, d3.max(located, (d) => d.events) || 1]).range([3, 16]);
  svg.append("g").selectAll("circle").data(located).join("circle").attr("class", "place")
    .attr("cx", (d) => proj([d.lon, d.lat])[0]).attr("cy", (d) => proj([d.lon, d.lat])[1]).attr("r", (d) => r(d.events))
    .style("cursor", "pointer").on("click", (_, d) => { location.hash = `#/events?place=${encodeURIComponent(d.name)}`; })
    .append("title").text((d) => `${d.name} (${d.country}): ${d.events} events`);
  wrap.append(el("p", { class: "muted" }, `${located.length} places with coordinates; click one to list its events.`));
}

// ---- events view -----------------------------------------------------------------------

const FILTERS = [
  ["actor", "Actor", "KORGOV"], ["dyad", "Dyad", "KOR-USA"], ["cameo", "CAMEO code", "041"], ["root", "Root", "04"],
  ["plover_type", "PLOVER type", "CONSULT"], ["quad_class", "Quad class", "1-4"], ["date_from", "From", ""],
  ["date_to", "To", ""], ["country", "Country", "KOR"], ["place", "Place", "Seoul"], ["q", "Text", "phone talks"],
];

async function renderEvents(query) {
  const initial = { ...filtersOnly(scope()), ...query };
  const form = el("form", { class: "filters", id: "event-filters" },
    FILTERS.map(([name, label, ph]) => el("label", {}, label,
      el("input", { name, value: initial[name] || "", placeholder: ph, size: name === "q" ? 18 : 9, type: name.startsWith("date") ? "date" : "text" }))),
    el("button", { type: "submit" }, "Filter"));
  const results = el("div", { id: "event-results" });
  view.replaceChildren(el("section", { class: "panel" }, el("h2", {}, "Events"), form, results));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const params = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v));
    pagedEvents(results, params).catch((e) => showError(e.message));
  });
  await pagedEvents(results, Object.fromEntries(Object.entries(initial).filter(([k, v]) => v && FILTERS.some(([n]) => n === k))));
}

// ---- articles --------------------------------------------------------------------------

async function renderArticles(query) {
  const search = el("input", { name: "q", placeholder: "search headlines and text", size: 30, value: query.q || "" });
  const list = el("div", { id: "article-list" });
  const form = el("form", { class: "filters" }, el("label", {}, "Search", search), el("button", { type: "submit" }, "Search"));
  view.replaceChildren(el("section", { class: "panel" }, el("h2", {}, "Articles"), form, list));
  const load = async () => {
    const data = await api("articles", { q: search.value, limit: 100 });
    const rows = data.items.map((a) => el("tr", {},
      el("td", {}, a.published || ""), el("td", {}, el("a", { href: `#/article/${a.id}`, class: "article-link" }, a.title || a.id)),
      el("td", {}, a.outlet || ""), el("td", {}, a.events)));
    list.replaceChildren(el("table", {}, el("thead", {}, el("tr", {}, ["published", "headline", "outlet", "events"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows)));
  };
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load().catch((e) => showError(e.message)); });
  await load();
}

function highlightedText(text, sentences, spans) {
  // Cut the text at every span boundary; each piece gets the classes of the spans covering it.
  const cuts = new Set([0, text.length]);
  for (const s of [...sentences, ...spans]) { cuts.add(s.start); cuts.add(s.end); }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const box = el("div", { class: "article-text", id: "article-text" });
  let sentNode = null, sentIndex = -1;
  for (let i = 0; i < points.length - 1; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const sent = sentences.find((s) => s.start <= a && b <= s.end);
    if (!sent) { sentNode = null; sentIndex = -1; }
    else if (sent.index !== sentIndex) {
      sentIndex = sent.index;
      sentNode = el("span", { class: "sent", dataset: { sentence: sent.index } });
      box.append(sentNode);
    }
    const covering = spans.filter((s) => s.start <= a && b <= s.end);
    let piece = document.createTextNode(text.slice(a, b));
    for (const s of covering) {
      const mark = el("mark", { class: s.kind, title: s.title || null });
      mark.append(piece);
      piece = mark;
    }
    (sentNode || box).append(piece);
  }
  return box;
}

function eventCard(e, onFocus) {
  const evidence = e.evidence ? el("blockquote", {}, e.evidence) : null;
  const corrections = (e.corrections || []).map((c) => el("div", { class: "tag correction" }, `correction: ${c.kind}${c.cameo ? " → " + c.cameo : ""}${c.note ? " — " + c.note : ""}`));
  const card = el("div", { class: `event-card ${quadClass(e.quad_class)}`, dataset: { eventId: e.id, sentence: e.sentence } },
    el("div", {}, el("span", { class: "code" }, actorLabel(e.source, e.source_text)), " → ",
      el("span", { class: "code" }, actorLabel(e.target, e.target_text))),
    el("div", {}, el("span", { class: "code" }, e.cameo), ` ${e.name} `, el("span", { class: "tag" }, e.plover_type || ""),
      el("span", { class: "tag" }, `Goldstein ${e.goldstein}`), el("span", { class: "tag" }, e.date || "no date")),
    evidence, corrections,
    el("button", { type: "button", class: "wrong", onclick: (ev) => { ev.stopPropagation(); openCorrection(e); } }, "This is wrong"));
  card.addEventListener("click", () => onFocus(e));
  return card;
}

async function renderArticle(id, query) {
  view.replaceChildren(el("p", { class: "muted" }, "Loading article…"));
  const a = await api(`articles/${encodeURIComponent(id)}`);
  const spans = [
    ...a.mentions.map((m) => ({ ...m, kind: "actor", title: m.actor || m.text })),
    ...a.quotes.map((q) => ({ ...q, kind: "quote", title: q.speaker ? `quote: ${q.speaker}` : "quote" })),
    ...a.events.filter((e) => e.trigger).map((e) => ({ ...e.trigger, kind: "trigger", title: `${e.cameo} ${e.name}` })),
  ];
  // Trailing spaces and line breaks of a sentence are not highlighted with it.
  const sentences = a.sentences.map((s) => ({ ...s, end: s.start + a.text.slice(s.start, s.end).trimEnd().length }));
  const text = highlightedText(a.text, sentences, spans);
  for (const e of a.events) text.querySelector(`.sent[data-sentence="${e.sentence}"]`)?.classList.add("evidence");
  const focus = (e) => {
    text.querySelectorAll(".sent.focus").forEach((n) => n.classList.remove("focus"));
    const sent = text.querySelector(`.sent[data-sentence="${e.sentence}"]`);
    if (sent) { sent.classList.add("focus"); sent.scrollIntoView({ block: "center", behavior: "instant" }); }
  };
  const side = el("div", { class: "events-side", id: "article-events" },
    el("h3", {}, `${a.events.length} coded events`),
    a.events.map((e) => eventCard(e, focus)),
    el("button", { type: "button", class: "wrong", onclick: () => openCorrection({ story_id: a.id, missed: true }) }, "Report a missed event"),
    el("h3", {}, "Corrections"), correctionList(a.corrections));
  view.replaceChildren(el("section", { class: "panel" },
    el("h2", { id: "article-title" }, a.title || a.id),
    el("p", { class: "muted" }, [a.published, a.outlet, a.url].filter(Boolean).join(" · ")),
    el("div", { class: "legend" }, el("span", {}, el("mark", { class: "actor" }, "actor")), el("span", {}, el("mark", { class: "trigger" }, "trigger")),
      el("span", {}, el("mark", { class: "quote" }, "quote")), el("span", {}, el("span", { class: "sent evidence" }, "sentence with an event"))),
    el("div", { class: "article" }, text, side)));
  const wanted = a.events.find((e) => e.id === query.event);
  if (wanted) focus(wanted);
}

// ---- corrections -----------------------------------------------------------------------

function correctionList(items) {
  if (!items.length) return el("p", { class: "muted", id: "no-corrections" }, "No corrections yet.");
  return el("ul", { class: "correction-list" }, items.map((c) => el("li", { dataset: { correctionId: c.id } },
    el("span", { class: "tag correction" }, c.kind), c.event_id ? el("span", { class: "code" }, `event ${c.event_id} `) : "missed event ",
    [c.cameo && `code ${c.cameo}`, c.source && `source ${c.source}`, c.target && `target ${c.target}`, c.note].filter(Boolean).join(" · "),
    el("span", { class: "muted" }, ` — ${c.author || "analyst"}, ${c.created?.slice(0, 16) || ""}`))));
}

async function renderCorrections() {
  const data = await api("corrections", { limit: 200 });
  view.replaceChildren(el("section", { class: "panel" }, el("h2", {}, "Analyst corrections"),
    el("p", { class: "muted" }, "Stored apart from machine output; `dateline export --corrections` writes them as gold files."),
    correctionList(data.items)));
}

function openCorrection(e) {
  const dialog = document.getElementById("correction-dialog");
  const form = document.getElementById("correction-form");
  form.reset();
  form.event_id.value = e.missed ? "" : e.id;
  form.story_id.value = e.story_id;
  form.kind.value = e.missed ? "missed_event" : "wrong_code";
  form.token.value = localStorage.getItem("dateline-token") || "";
  if (!e.missed) { form.cameo.value = e.cameo || ""; form.source.value = e.source || ""; form.target.value = e.target || ""; form.date.value = e.date || ""; }
  document.getElementById("correction-about").textContent = e.missed ? "An event the coder missed in this article." : `${e.source} → ${e.target}: ${e.cameo} ${e.name}`;
  document.getElementById("correction-error").hidden = true;
  dialog.showModal();
}

async function submitCorrection(ev) {
  ev.preventDefault();
  const form = ev.target;
  const data = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v !== ""));
  const token = data.token || "";
  delete data.token;
  if (token) localStorage.setItem("dateline-token", token);
  const errBox = document.getElementById("correction-error");
  try {
    await api("corrections", {}, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: JSON.stringify(data) });
    document.getElementById("correction-dialog").close();
    route();
  } catch (e) {
    errBox.textContent = e.status === 401 || e.status === 403 ? `Not allowed: ${e.message}` : e.message;
    errBox.hidden = false;
  }
}

// ---- scope (dyad list) and routing -----------------------------------------------------

async function loadDyads() {
  const data = await api("aggregates/dyads", { limit: 200 });
  const select = document.getElementById("scope-dyad");
  for (const d of data.items) {
    if (!d.source || !d.target || d.source === d.target) continue;
    select.append(el("option", { value: `${d.source}-${d.target}` }, `${d.source}–${d.target} (${d.events})`));
  }
}

function parseHash() {
  const [path, qs] = (location.hash.replace(/^#\/?/, "") || "timeline").split("?");
  return { parts: path.split("/"), query: Object.fromEntries(new URLSearchParams(qs || "")) };
}

async function route() {
  const { parts, query } = parseHash();
  const name = parts[0];
  document.querySelectorAll("#tabs a").forEach((a) => a.classList.toggle("active", a.dataset.view === (name === "article" ? "articles" : name)));
  showError("");
  try {
    if (name === "network") await renderNetwork();
    else if (name === "map") await renderMap();
    else if (name === "events") await renderEvents(query);
    else if (name === "articles") await renderArticles(query);
    else if (name === "article") await renderArticle(decodeURIComponent(parts.slice(1).join("/")), query);
    else if (name === "corrections") await renderCorrections();
    else await renderTimeline();
  } catch (e) {
    showError(`Could not load this view: ${e.message}`);
  }
}

scopeForm.addEventListener("submit", (ev) => { ev.preventDefault(); route(); });
document.getElementById("scope-dyad").addEventListener("change", () => route());
document.getElementById("correction-form").addEventListener("submit", submitCorrection);
document.getElementById("correction-cancel").addEventListener("click", () => document.getElementById("correction-dialog").close());
window.addEventListener("hashchange", route);
loadDyads().catch((e) => showError(`Could not load the actor pairs: ${e.message}`)).finally(route);
