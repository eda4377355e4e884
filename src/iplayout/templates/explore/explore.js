/* iplayout explorer: offline map / ranking / region panel / compare view.
   Data arrive as <script> files calling IPL_RECEIVE (file:// forbids fetch); every data-derived string is
   inserted with textContent or escaped with echarts.format.encodeHTML. */
(function () {
  "use strict";
  var cache = {}, waiters = {}, requested = {};
  window.IPL_RECEIVE = function (key, payload) {
    cache[key] = payload;
    (waiters[key] || []).forEach(function (f) { f(payload); });
    delete waiters[key];
  };
  function load(key, src) {
    return new Promise(function (resolve, reject) {
      if (cache[key]) { resolve(cache[key]); return; }
      (waiters[key] = waiters[key] || []).push(resolve);
      if (requested[key]) { return; }
      requested[key] = true;
      var s = document.createElement("script");
      s.src = src;
      s.onerror = function () { delete requested[key]; reject(new Error("无法载入 " + src)); };
      document.head.appendChild(s);
    });
  }
  var $ = function (id) { return document.getElementById(id); };
  var ec = window.echarts, esc = ec ? ec.format.encodeHTML : function (x) { return String(x); };
  var DECAL = {symbol: "rect", symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4,
               color: "rgba(90,0,0,0.3)"};
  var CAT = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
             "#1f78b4", "#b2df8a"];
  var NODATA = "#d9d9d9";
  var COUPLING = ["#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#d9ef8b", "#a6d96a", "#66bd63", "#1a9850",
                  "#006837"];  // ColorBrewer RdYlGn-10: 极度失调 … 优质协调
  var LAYERS = {value: "指标值", coupling: "耦合协调等级", zones: "功能区（概率）", catalogue: "导向目录（按产业）",
                parks: "专利导航产业园区"};
  var S = {t: null, ind: null, layer: "value", industry: null, scheme: "quantile", yi: 0, view: "map",
           region: null, sunan: true, cmpA: null, cmpB: null};
  var catalog, chart, small = {}, timer = null, renders = 0;

  function meta() { return cache["meta:" + S.t]; }
  function geo() { return cache["geo:" + S.t]; }
  function data() { return cache["data:" + S.t + ":" + S.ind]; }
  function dataFile(t, key) {
    var m = cache["meta:" + t], e = m.indicators.filter(function (i) { return i.key === key; })[0];
    return load("data:" + t + ":" + key, "data/" + t + "/" + e.file + ".js");
  }
  function fmt(v, d) {
    if (v === null || v === undefined || !isFinite(v)) { return "—"; }
    return Number(v).toLocaleString("zh-CN", {minimumFractionDigits: d, maximumFractionDigits: d});
  }
  function axisNumber(v) { return Math.abs(v) >= 1e8 ? v / 1e8 + "亿" : Math.abs(v) >= 1e4 ? v / 1e4 + "万" : String(v); }
  function names() { var o = {}; meta().members.forEach(function (m) { o[m.code] = m.name; }); return o; }
  function option(sel, value, text, selected) {
    var o = document.createElement("option"); o.value = value; o.textContent = text;
    if (selected) { o.selected = true; } sel.appendChild(o); return o;
  }
  function layerYears() { return Object.keys(meta().years || {}); }
  function years() {
    if (S.layer === "value" || S.layer === "parks") { return data().years.map(String); }
    return layerYears().filter(function (y) { var l = meta().years[y]; return S.layer === "coupling" ? l.coupling : l.zones; });
  }
  function year() { var ys = years(); return ys[Math.min(S.yi, ys.length - 1)]; }
  function sourceText(id) {
    return String(id).split(" + ").map(function (s) { var r = catalog.sources[s]; return r ? r.title : s; }).join("；");
  }

  // ---------------------------------------------------------------- controls
  function fillIndicators() {
    var sel = $("sel-indicator"); sel.textContent = "";
    var groups = {};
    meta().indicators.forEach(function (e) {
      if (!groups[e.group]) { groups[e.group] = document.createElement("optgroup"); groups[e.group].label = e.group; sel.appendChild(groups[e.group]); }
      option(groups[e.group], e.key, e.label + "（" + (e.unit || "—") + "）" + (e.is_demo ? " ※" : ""), e.key === S.ind);
    });
    var lay = $("sel-layer"); lay.textContent = "";
    var ly = meta().years || {}, have = {value: true, parks: true};
    Object.keys(ly).forEach(function (y) { if (ly[y].coupling) { have.coupling = true; } if (ly[y].zones) { have.zones = true; }
      if (ly[y].catalogue && Object.keys(ly[y].catalogue).length) { have.catalogue = true; } });
    Object.keys(LAYERS).forEach(function (k) { if (have[k]) { option(lay, k, LAYERS[k], k === S.layer); } });
    if (!have[S.layer]) { S.layer = "value"; }
    $("lab-sunan").hidden = !meta().has_sunan;
  }
  function fillIndustries() {
    var sel = $("sel-industry"); sel.textContent = "";
    var l = meta().years[year()] || {}, inds = Object.keys(l.catalogue || {}).sort();
    if (inds.indexOf(S.industry) < 0) { S.industry = inds[0] || null; }
    inds.forEach(function (c) { option(sel, c, c, c === S.industry); });
    $("lab-industry").hidden = S.layer !== "catalogue";
  }
  function setYearSlider() {
    var ys = years(), el = $("sel-year");
    el.max = Math.max(ys.length - 1, 0);
    if (S.yi > ys.length - 1 || S.yi < 0) { S.yi = ys.length - 1; }
    el.value = S.yi; $("out-year").textContent = ys.length ? ys[S.yi] + " 年" : "—";
  }
  function saveHash() {
    var h = "#t=" + S.t + "&i=" + encodeURIComponent(S.ind) + "&y=" + (year() || "") + "&l=" + S.layer + "&s=" + S.scheme +
      (S.region ? "&r=" + S.region : "");
    try { history.replaceState(null, "", h); } catch (e) { /* some file:// contexts refuse; state stays in memory */ }
  }

  // ---------------------------------------------------------------- map
  function pieces(bounds, d) {
    var pal = catalog.palette, k = bounds.length;
    return bounds.map(function (b, i) {
      var c = pal[k === 1 ? pal.length - 1 : Math.round(i * (pal.length - 1) / (k - 1))];
      return i === 0 ? {lte: b, label: "≤ " + fmt(b, d), color: c}
                     : {gt: bounds[i - 1], lte: b, label: fmt(bounds[i - 1], d) + " – " + fmt(b, d), color: c};
    });
  }
  function valueItems() {
    var D = data(), yi = D.years.map(String).indexOf(year()), row = D.v[yi] || [], bounds;
    bounds = S.scheme === "fixed" ? D.breaks.fixed : (D.breaks[S.scheme][yi] || []);
    var items = D.regions.map(function (c, r) {
      if (row[r] === null) { return null; }
      var it = {name: c, value: row[r], rank: D.rank[yi][r], demo: D.demo[yi][r], src: D.sources[D.src[yi][r]] || "",
                flag: D.flags[yi + "," + r] || ""};
      if (it.demo) { it.itemStyle = {decal: DECAL}; }
      return it;
    }).filter(Boolean);
    return {items: items, pieces: pieces(bounds, D.decimals),
            noData: items.length < D.regions.length || Object.keys(geo().context).length > 0, title: D.name + (D.industry_name ? "·" + D.industry_name : ""),
            unit: D.unit, n: D.n[yi], demo: items.some(function (i) { return i.demo; })};
  }
  function catItems() {
    var l = meta().years[year()] || {}, table, keyOf, cats = [], items = [];
    if (S.layer === "coupling") { table = l.coupling || {}; keyOf = function (r) { return r.cls; }; }
    else if (S.layer === "zones") { table = l.zones || {}; keyOf = function (r) { return r.zone + " " + r.name; }; }
    else { table = (l.catalogue || {})[S.industry] || {}; keyOf = function (r) { return r.action; }; }
    var codes = Object.keys(table), mean = {};
    codes.forEach(function (c) { var k = keyOf(table[c]); if (cats.indexOf(k) < 0) { cats.push(k); } });
    if (S.layer === "coupling") {  // order classes by mean D (the ten classes are ordered by D)
      cats.forEach(function (k) { var xs = codes.filter(function (c) { return table[c].cls === k; }).map(function (c) { return table[c].D; });
        mean[k] = xs.reduce(function (a, b) { return a + b; }, 0) / xs.length; });
      cats.sort(function (a, b) { return mean[b] - mean[a]; });
    } else { cats.sort(); }
    codes.forEach(function (c) {
      var r = table[c], it = {name: c, value: cats.indexOf(keyOf(r)), layer: r};
      it.itemStyle = {};
      if (r.is_demo) { it.itemStyle.decal = DECAL; it.demo = 1; }
      if (S.layer === "zones" && r.p !== null) { it.itemStyle.opacity = 0.35 + 0.65 * r.p; }  // paler = less certain
      items.push(it);
    });
    var colour = function (k, i) {  // coupling classes are ordered: a red–green ramp by D (class width 0.1)
      return S.layer === "coupling" ? COUPLING[Math.max(0, Math.min(9, Math.floor(mean[k] * 10)))] : CAT[i % CAT.length];
    };
    return {items: items, pieces: cats.map(function (k, i) { return {value: i, label: k, color: colour(k, i)}; }),
            title: LAYERS[S.layer] + (S.layer === "catalogue" ? "·" + S.industry : ""), unit: "",
            demo: items.some(function (i) { return i.demo; })};
  }
  function tooltip(p) {
    var nm = names(), g = geo(), code = p.name, d = p.data || {};
    if (p.seriesType === "lines") { return esc(d.label || ""); }
    if (p.seriesType === "scatter") { return esc(d.park.name + "（" + d.park.level + "）") + "<br/>" + esc(d.park.source); }
    var title = nm[code] || g.context[code] || code;
    if (d.value === undefined || d.value === null) { return "<b>" + esc(title) + "</b><br/>无数据"; }
    var lines = ["<b>" + esc(title) + "</b>" + (d.demo ? " <span style='color:#b00020'>※演示数据</span>" : "")];
    if (d.layer) {
      var r = d.layer;
      if (S.layer === "coupling") { lines.push(esc(r.cls + "，D = " + fmt(r.D, 3))); }
      else if (S.layer === "zones") { lines.push(esc(r.zone + " " + r.name + "，概率 " + (r.p === null ? "—" : fmt(r.p * 100, 1) + "%") + (r.borderline ? "（临界）" : ""))); }
      else { lines.push(esc(r.action + (r.levers ? "：" + r.levers : ""))); }
    } else {
      var D = data();
      lines.push(esc(fmt(d.value, D.decimals) + " " + D.unit + "，" + meta().scope + "第 " + d.rank + " 位（共 " + D.n[D.years.map(String).indexOf(year())] + " 个）"));
      lines.push(esc("来源：" + sourceText(d.src)) + (d.flag ? esc("（" + d.flag + "）") : ""));
    }
    return lines.join("<br/>");
  }
  function render() {
    var M = meta(), g = geo(), spec = (S.layer === "value" || S.layer === "parks") ? valueItems() : catItems();
    var short = names(), nm = "ipl-" + S.t;
    if (!ec.getMap(nm)) { ec.registerMap(nm, g.main); if (g.inset) { ec.registerMap(nm + "-scs", g.inset); } }
    var label = {show: true, fontSize: 10, color: "#1a1a1a", textBorderColor: "#fff", textBorderWidth: 2,
                 formatter: function (p) { return short[p.name] || g.context[p.name] || ""; }};
    var geos = [{map: nm, roam: true, aspectScale: g.main_aspect, left: 100, right: g.inset ? 150 : 20, top: 20, bottom: 20,
                 label: label, itemStyle: {areaColor: NODATA, borderColor: "#ffffff", borderWidth: 0.6},
                 emphasis: {label: {show: true}, itemStyle: {areaColor: "#edae49"}}, select: {disabled: true}}];
    var series = [{type: "map", geoIndex: 0, data: spec.items}];
    var graphic = [];
    if (g.inset) {
      geos.push({map: nm + "-scs", roam: false, aspectScale: g.inset_aspect, right: 14, bottom: 26, width: 118, height: 150,
                 label: {show: false}, itemStyle: {areaColor: NODATA, borderColor: "#888", borderWidth: 0.3},
                 emphasis: {disabled: true}, select: {disabled: true}, silent: true});
      series.push({type: "map", geoIndex: 1, data: spec.items});
      series.push({type: "lines", coordinateSystem: "geo", geoIndex: 1, polyline: true, silent: true,
                   lineStyle: {color: "#4d4d4d", width: 1.2, opacity: 1},
                   data: g.inset_dashes.map(function (l) { return {coords: l}; })});
      graphic.push({type: "rect", right: 6, bottom: 6, shape: {width: 134, height: 206}, style: {fill: "none", stroke: "#9aa0a6"}, silent: true});
      graphic.push({type: "text", right: 48, bottom: 194, style: {text: "南海诸岛", fontSize: 11, fill: "#333"}, silent: true});
    }
    if (g.dashes.length) {
      series.push({type: "lines", coordinateSystem: "geo", geoIndex: 0, polyline: true, silent: true,
                   lineStyle: {color: "#4d4d4d", width: 1.5, opacity: 1}, data: g.dashes.map(function (l) { return {coords: l}; })});
    }
    if (S.sunan && M.has_sunan && g.outline.length) {
      series.push({type: "lines", coordinateSystem: "geo", geoIndex: 0, polyline: true, z: 5,
                   lineStyle: {color: catalog.highlight, width: 2.5, opacity: 1},
                   data: g.outline.map(function (l) { return {coords: l, label: "苏南国家自主创新示范区"}; })});
    }
    if (spec.noData) {  // legend entry for grey areas, just above the visualMap's pieces (20 px each)
      var top = 25 + 20 * spec.pieces.length;  // visualMap bottom 20 + padding 5
      graphic.push({type: "group", left: 11, bottom: top, silent: true, children: [
        {type: "rect", shape: {x: 0, y: 0, width: 14, height: 10}, style: {fill: NODATA}},
        {type: "text", x: 19, y: 0, style: {text: "无数据", fontSize: 11, fill: "#333"}}]});
    }
    var note = "", L = M.years[year()] || {};
    if (S.layer === "parks") {
      var parks = (L.parks || (M.years[layerYears().slice(-1)[0]] || {}).parks || []);
      note = parks.length ? "园区以所在城市的代表点标注。" : ((M.years[layerYears().slice(-1)[0]] || {}).parks_note || "本地域尚无园区图层（未找到区域布局阶段的运行结果）。");
      series.push({type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbolSize: 9, itemStyle: {color: "#b00020"},
                   data: parks.map(function (p) { return {name: p.city, value: g.points[p.city] || [0, 0], park: p}; })});
    } else if (S.layer !== "value") {
      note = "图层来自运行 " + (L.run || "—") + "（" + year() + " 年阶段结果）。";
    }
    chart.setOption({
      animation: false, tooltip: {trigger: "item", formatter: tooltip},
      visualMap: {type: "piecewise", pieces: spec.pieces, left: 6, bottom: 20, seriesIndex: g.inset ? [0, 1] : [0],
                  itemWidth: 14, itemHeight: 10, textStyle: {fontSize: 11}, outOfRange: {color: NODATA}, showLabel: true},
      title: {text: spec.title + "（" + year() + " 年" + (spec.unit ? "，" + spec.unit : "") + "）",
              subtext: g.attribution + (spec.demo ? "\n斜线阴影：演示数据（is_demo），非真实统计" : ""), left: 6, top: 0,
              textStyle: {fontSize: 13}, subtextStyle: {fontSize: 10, color: "#777", lineHeight: 14}},
      geo: geos, series: series, graphic: graphic
    }, {notMerge: true});
    $("map-title").textContent = M.label + " · " + spec.title;
    $("map-note").textContent = g.attribution + "。灰色为无数据" + (g.inset ? "（台湾省暂无统计数据）" : "") + "；斜线阴影与“※”为演示数据。";
    $("demo-note").hidden = !spec.demo;
    $("demo-note").textContent = "本图含演示数据（is_demo）：由固定随机种子生成，仅用于演示方法，不代表真实统计。";
    $("layer-note").textContent = note;
    renderRanking(spec);
    if (S.region) { renderPanel(); }
    renders += 1; document.body.setAttribute("data-renders", String(renders));
    saveHash();
  }
  function renderRanking(spec) {
    var tb = document.querySelector("#rank-table tbody"), nm = names(), D = data();
    tb.textContent = "";
    var rows = spec.items.slice();
    if (spec.items.length && spec.items[0].rank !== undefined) { rows.sort(function (a, b) { return a.rank - b.rank; }); }
    else { rows.sort(function (a, b) { return a.value - b.value; }); }
    rows.forEach(function (it) {
      var tr = document.createElement("tr"); tr.setAttribute("data-code", it.name);
      if (it.name === S.region) { tr.className = "sel"; }
      var cells = [it.rank !== undefined ? String(it.rank) : "", (nm[it.name] || it.name) + (it.demo ? " ※" : ""),
                   it.layer ? spec.pieces[it.value].label + (S.layer === "zones" && it.layer.p !== null ? " · " + fmt(it.layer.p * 100, 0) + "%" : "")
                            : fmt(it.value, D.decimals)];
      cells.forEach(function (t, i) { var td = document.createElement("td"); td.textContent = t; if (i === 2) { td.className = "num"; } tr.appendChild(td); });
      tr.addEventListener("click", function () { openPanel(it.name); });
      tb.appendChild(tr);
    });
  }

  // ---------------------------------------------------------------- region panel
  function openPanel(code) { S.region = code; $("panel").hidden = false; renderPanel(); renderRanking(S.layer === "value" || S.layer === "parks" ? valueItems() : catItems()); }
  function renderPanel() {
    var M = meta(), D = data(), code = S.region, r = D.regions.indexOf(code);
    var m = M.members.filter(function (x) { return x.code === code; })[0];
    if (!m) { $("panel").hidden = true; return; }
    $("panel-title").textContent = m.name + "（" + m.code + "）";
    var yi = D.years.map(String).indexOf(String(year()));
    var v = yi >= 0 ? D.v[yi][r] : null;
    $("panel-sub").textContent = (m.group ? m.group + " · " : "") + D.name + "：" + fmt(v, D.decimals) + " " + D.unit +
      (yi >= 0 && D.rank[yi][r] ? "，" + M.scope + "第 " + D.rank[yi][r] + " 位" : "") + (yi >= 0 && D.demo[yi][r] ? "（※演示数据）" : "");
    var L = M.years[layerYears().slice(-1)[0]] || {}, facts = [];
    if (L.coupling && L.coupling[code]) { facts.push("耦合协调：" + L.coupling[code].cls + "（D = " + fmt(L.coupling[code].D, 3) + "）"); }
    if (L.zones && L.zones[code]) { var z = L.zones[code]; facts.push("功能区：" + z.zone + " " + z.name + (z.p === null ? "" : "（概率 " + fmt(z.p * 100, 0) + "%）")); }
    Object.keys(L.catalogue || {}).sort().forEach(function (ind) { var e = L.catalogue[ind][code]; if (e) { facts.push("导向目录 " + ind + "：" + e.action); } });
    $("panel-layers").textContent = facts.length ? facts.join("；") + "（" + (L.run || "") + "）" : "";
    var xs = D.years, vals = D.v.map(function (row) { return row[r]; }), rk = D.rank.map(function (row) { return row[r]; });
    var demoPts = D.demo.map(function (row) { return row[r]; });
    small.series.setOption({animation: false, title: {text: "时间序列（" + D.unit + "）", textStyle: {fontSize: 12}},
      grid: {left: 56, right: 10, top: 28, bottom: 24}, tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: xs}, yAxis: {type: "value", scale: true, axisLabel: {formatter: axisNumber}},
      series: [{type: "line", data: vals.map(function (x, i) { return {value: x, symbol: demoPts[i] ? "emptyTriangle" : "circle"}; }),
                connectNulls: false, itemStyle: {color: "#1f4e79"}}]}, {notMerge: true});
    small.rank.setOption({animation: false, title: {text: "位次变化（" + M.scope + "，1 = 最高）", textStyle: {fontSize: 12}},
      grid: {left: 40, right: 10, top: 28, bottom: 24}, tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: xs}, yAxis: {type: "value", inverse: true, min: 1, max: M.members.length, minInterval: 1},
      series: [{type: "line", data: rk, step: false, itemStyle: {color: catalog.highlight}}]}, {notMerge: true});
    var ul = $("panel-reports"); ul.textContent = "";
    var reps = (M.reports[code] || []).concat((M.territory_reports || []).filter(function (x) { return x.stage === "allocation"; }));
    if (!reps.length) { var li0 = document.createElement("li"); li0.textContent = "未找到该地区的报告（请先运行报告集，再重建本站点）。"; ul.appendChild(li0); }
    reps.forEach(function (x) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(x.href)) { return; }  // relative links only
      var li = document.createElement("li"), a = document.createElement("a");
      a.setAttribute("href", x.href); a.textContent = x.stage_zh + "：" + x.title + (x.is_demo ? " ※" : "");
      li.appendChild(a); ul.appendChild(li);
    });
  }

  // ---------------------------------------------------------------- compare view
  function latestAt(D, r, y) {
    for (var i = D.years.length - 1; i >= 0; i--) { if (D.years[i] <= y && D.v[i][r] !== null) { return i; } }
    return -1;
  }
  function renderCompare() {
    var M = meta(), a = S.cmpA || M.members[0].code, b = S.cmpB, y = Number(year() || 0), nm = names();
    var sa = $("cmp-a"), sb = $("cmp-b"); sa.textContent = ""; sb.textContent = "";
    var mem = M.members.filter(function (x) { return x.code === a; })[0];
    var ly = M.years[layerYears().slice(-1)[0]] || {}, peers = (ly.peers || {})[a] || [];
    M.members.forEach(function (x) { option(sa, x.code, x.name, x.code === a); });
    option(sb, "group", "同组其他地区平均（" + (mem.group || "—") + "）", b === "group" || !b);
    if (peers.length) { option(sb, "peers", "结构相近地区平均（" + peers.map(function (c) { return nm[c]; }).join("、") + "）", b === "peers"); }
    M.members.forEach(function (x) { if (x.code !== a) { option(sb, x.code, x.name, x.code === b); } });
    b = sb.value;
    var others = b === "group" ? M.members.filter(function (x) { return x.group === mem.group && x.code !== a; }).map(function (x) { return x.code; })
               : b === "peers" ? peers : [b];
    $("cmp-note").textContent = "年份 " + y + "（某指标该年无值时取此前最近一年）";
    var head = document.querySelector("#cmp-table thead"), body = document.querySelector("#cmp-table tbody");
    head.textContent = ""; body.textContent = "";
    var hr = document.createElement("tr");
    ["指标", "单位", "年份", mem.name, "位次", b.length === 6 ? nm[b] : sb.options[sb.selectedIndex].textContent, "位次"].forEach(function (t) {
      var th = document.createElement("th"); th.textContent = t; hr.appendChild(th); });
    head.appendChild(hr);
    var rows = [], group = null;
    M.indicators.forEach(function (e) {
      var D = cache["data:" + S.t + ":" + e.key]; if (!D) { return; }
      var ra = D.regions.indexOf(a), i = latestAt(D, ra, y); if (i < 0) { return; }
      var bv = others.map(function (c) { return D.v[i][D.regions.indexOf(c)]; }).filter(function (x) { return x !== null; });
      var bval = bv.length ? bv.reduce(function (s, x) { return s + x; }, 0) / bv.length : null;
      var brank = others.length === 1 && bv.length ? D.rank[i][D.regions.indexOf(others[0])] : "";
      if (e.group !== group) { group = e.group; rows.push({group: group}); }
      rows.push({label: e.label, unit: e.unit, year: D.years[i], a: D.v[i][ra], ra: D.rank[i][ra], b: bval, rb: brank,
                 d: D.decimals, demo: D.demo[i][ra] || others.some(function (c) { var k = D.regions.indexOf(c); return D.demo[i][k]; })});
    });
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      if (r.group) { var td0 = document.createElement("td"); td0.colSpan = 7; td0.className = "grp"; td0.textContent = r.group; tr.appendChild(td0); body.appendChild(tr); return; }
      [r.label + (r.demo ? " ※" : ""), r.unit, String(r.year), fmt(r.a, r.d), String(r.ra || ""), fmt(r.b, r.d), String(r.rb || "")].forEach(function (t, k) {
        var td = document.createElement("td"); td.textContent = t; if (k >= 2) { td.className = "num"; } tr.appendChild(td); });
      body.appendChild(tr);
    });
    S.cmpRows = rows; S.cmpHead = Array.prototype.map.call(hr.children, function (th) { return th.textContent; });
  }
  function showCompare() {
    S.view = "compare"; $("view-map").hidden = true; $("view-compare").hidden = false;
    $("btn-compare").className = "on"; $("btn-map").className = "";
    if (!S.cmpA) { S.cmpA = S.region || meta().members[0].code; }
    $("cmp-note").textContent = "正在载入全部指标……";
    return Promise.all(meta().indicators.map(function (e) { return dataFile(S.t, e.key); })).then(renderCompare);
  }
  function showMap() {
    S.view = "map"; $("view-map").hidden = false; $("view-compare").hidden = true;
    $("btn-map").className = "on"; $("btn-compare").className = ""; chart.resize();
  }

  // ---------------------------------------------------------------- downloads
  function csvCell(x) { var s = x === null || x === undefined ? "" : String(x); return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function csvText() {
    var rows;
    if (S.view === "compare") {
      rows = [S.cmpHead].concat(S.cmpRows.filter(function (r) { return !r.group; }).map(function (r) {
        return [r.label, r.unit, r.year, r.a, r.ra, r.b, r.rb, r.demo ? "是" : "否"]; }));
      rows[0] = rows[0].concat(["含演示数据"]);
    } else {
      var D = data(), nm = names(), yi = D.years.map(String).indexOf(String(year())), L = (meta().years[year()] || {});
      rows = [["地区代码", "地区", "年份", "指标代码", "指标", "单位", "数值", "位次", "演示数据", "质量标记", "来源"]];
      if (S.layer !== "value" && S.layer !== "parks") { rows[0].push(LAYERS[S.layer]); }
      D.regions.forEach(function (c, r) {
        var row = [c, nm[c], year(), D.key, D.name, D.unit, yi >= 0 ? D.v[yi][r] : "", yi >= 0 ? D.rank[yi][r] : "",
                   yi >= 0 && D.demo[yi][r] ? "是" : "否", yi >= 0 ? D.flags[yi + "," + r] || "" : "",
                   yi >= 0 && D.src[yi][r] >= 0 ? sourceText(D.sources[D.src[yi][r]]) : ""];
        if (S.layer === "coupling") { row.push(((L.coupling || {})[c] || {}).cls || ""); }
        if (S.layer === "zones") { var z = (L.zones || {})[c]; row.push(z ? z.zone + " " + z.name + " p=" + z.p : ""); }
        if (S.layer === "catalogue") { var k = ((L.catalogue || {})[S.industry] || {})[c]; row.push(k ? S.industry + " " + k.action : ""); }
        rows.push(row);
      });
    }
    return "\ufeff" + rows.map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  }
  function download(name, href) {
    var a = document.createElement("a"); a.href = href; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  }
  function downloadCsv() {
    var url = URL.createObjectURL(new Blob([csvText()], {type: "text/csv;charset=utf-8"}));
    download("iplayout-" + S.t + "-" + (S.view === "compare" ? "compare-" + S.cmpA : S.ind) + "-" + year() + ".csv", url);
    setTimeout(function () { URL.revokeObjectURL(url); }, 2000);
  }
  function pngUrl() { return chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#fff"}); }
  function downloadPng() { download("iplayout-" + S.t + "-" + S.ind + "-" + year() + ".png", pngUrl()); }

  // ---------------------------------------------------------------- state changes
  function setTerritory(t) {
    S.t = t; S.region = null; $("panel").hidden = true;
    return Promise.all([load("meta:" + t, "data/" + t + "/meta.js"), load("geo:" + t, "data/" + t + "/geo.js")]).then(function () {
      var keys = meta().indicators.map(function (e) { return e.key; }), rn = $("runs-note");
      rn.textContent = meta().runs.length ? "报告集：" : "未读取报告集（构建时未提供运行文件夹）。";
      meta().runs.forEach(function (r, i) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(r.href)) { return; }
        var a = document.createElement("a"); a.setAttribute("href", r.href);
        a.textContent = r.title + "（" + r.run + (r.state && r.state !== "complete" && r.state !== "finished" ? "，" + r.state : "") + "）";
        if (i) { rn.appendChild(document.createTextNode("；")); }
        rn.appendChild(a);
      });
      if (keys.indexOf(S.ind) < 0) { S.ind = catalog.territories.filter(function (x) { return x.code === t; })[0].default; }
      fillIndicators(); S.cmpA = null;
      return setIndicator(S.ind, true);
    });
  }
  function setIndicator(key, keepYear) {
    var oldYear = year && data() ? year() : null;
    S.ind = key;
    return dataFile(S.t, key).then(function () {
      var ys = years(); S.yi = keepYear && oldYear && ys.indexOf(oldYear) >= 0 ? ys.indexOf(oldYear) : ys.length - 1;
      $("sel-indicator").value = key; setYearSlider(); fillIndustries(); render();
      if (S.view === "compare") { renderCompare(); }
    });
  }
  function setYear(y) { var ys = years(), i = ys.indexOf(String(y)); if (i >= 0) { S.yi = i; setYearSlider(); fillIndustries(); render(); if (S.view === "compare") { renderCompare(); } } }
  function play() {
    if (timer) { clearInterval(timer); timer = null; $("btn-play").textContent = "▶ 播放"; return; }
    $("btn-play").textContent = "❚❚ 暂停";
    if (S.yi >= years().length - 1) { S.yi = -1; }
    timer = setInterval(function () {
      if (S.yi >= years().length - 1) { play(); return; }
      S.yi += 1; setYearSlider(); render();
    }, 900);
  }
  function readHash() {
    var o = {}; location.hash.replace(/^#/, "").split("&").forEach(function (kv) { var p = kv.split("="); if (p[0]) { o[p[0]] = decodeURIComponent(p[1] || ""); } });
    return o;
  }
  function showError(e) { $("layer-note").textContent = "载入失败：" + String(e && e.message || e) + "（站点文件不完整？请重新生成。）"; }
  function init(cat) {
    catalog = cat;
    if (!ec) { $("map").textContent = "缺少 ECharts 脚本（assets/echarts.min.js），无法绘制地图。"; return Promise.resolve(); }
    chart = ec.init($("map"), null, {renderer: "canvas"});
    small.series = ec.init($("chart-series")); small.rank = ec.init($("chart-rank"));
    chart.on("click", function (p) { if (p.name && names()[p.name]) { openPanel(p.name); } });
    window.addEventListener("resize", function () { chart.resize(); small.series.resize(); small.rank.resize(); });
    var h = readHash();
    cat.territories.forEach(function (t) { option($("sel-territory"), t.code, t.label + "（" + t.n + " 个地区）", t.code === h.t); });
    Object.keys(cat.schemes).forEach(function (k) { option($("sel-scheme"), k, cat.schemes[k], k === (h.s || S.scheme)); });
    S.scheme = $("sel-scheme").value; S.ind = h.i || null; S.layer = LAYERS[h.l] ? h.l : "value";
    $("sel-territory").addEventListener("change", function (e) { setTerritory(e.target.value).catch(showError); });
    $("sel-indicator").addEventListener("change", function (e) { setIndicator(e.target.value, true).catch(showError); });
    $("sel-layer").addEventListener("change", function (e) { S.layer = e.target.value; S.yi = 1e9; setYearSlider(); fillIndustries(); render(); });
    $("sel-industry").addEventListener("change", function (e) { S.industry = e.target.value; render(); });
    $("sel-scheme").addEventListener("change", function (e) { S.scheme = e.target.value; render(); });
    $("sel-year").addEventListener("input", function (e) { S.yi = Number(e.target.value); setYearSlider(); fillIndustries(); render(); if (S.view === "compare") { renderCompare(); } });
    $("chk-sunan").addEventListener("change", function (e) { S.sunan = e.target.checked; render(); });
    $("btn-play").addEventListener("click", play);
    $("btn-csv").addEventListener("click", downloadCsv);
    $("btn-png").addEventListener("click", downloadPng);
    $("btn-map").addEventListener("click", showMap);
    $("btn-compare").addEventListener("click", function () { showCompare().catch(showError); });
    $("panel-close").addEventListener("click", function () { S.region = null; $("panel").hidden = true; });
    $("panel-compare").addEventListener("click", function () { S.cmpA = S.region; showCompare(); });
    $("cmp-a").addEventListener("change", function (e) { S.cmpA = e.target.value; S.cmpB = null; renderCompare(); });
    $("cmp-b").addEventListener("change", function (e) { S.cmpB = e.target.value; renderCompare(); });
    return setTerritory($("sel-territory").value).then(function () {
      if (h.y) { setYear(h.y); }
      if (h.r && names()[h.r]) { openPanel(h.r); }
      if (h.v === "compare") { return showCompare(); }
    });
  }
  window.IPL = {
    state: S, csv: csvText, png: pngUrl, setTerritory: setTerritory, setIndicator: setIndicator, setYear: setYear, openPanel: openPanel,
    showCompare: showCompare, showMap: showMap, year: function () { return year(); },
    pixelOf: function (code) {  // page coordinates of a region's label point (tests click there)
      var p = chart.convertToPixel({geoIndex: 0}, geo().points[code]), r = $("map").getBoundingClientRect();
      return [r.left + p[0], r.top + p[1]];
    },
    mapValues: function () { var o = {}; (chart.getOption().series[0].data || []).forEach(function (d) { o[d.name] = d.value; }); return o; },
    ready: load("catalog", "data/catalog.js").then(init)
  };
  window.IPL.ready.catch(function (e) { $("map").textContent = String(e.message || e); });
}());
