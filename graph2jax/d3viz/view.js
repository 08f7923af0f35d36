// graph2jax.d3viz: pan and zoom the Graphviz SVG, collapse inner graphs, show a node's details.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const canvas = document.getElementById("canvas");
  const svg = canvas.querySelector("svg");
  const fields = document.getElementById("fields");
  const base = svg.viewBox.baseVal;
  const box = { x: base.x, y: base.y, w: base.width, h: base.height };
  svg.removeAttribute("width");
  svg.removeAttribute("height");

  function setViewBox() {
    svg.setAttribute("viewBox", box.x + " " + box.y + " " + box.w + " " + box.h);
  }
  function unitsPerPixel() {
    const r = svg.getBoundingClientRect();
    return Math.max(box.w / r.width, box.h / r.height);
  }

  // zoom on the wheel, about the pointer
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    const factor = ev.deltaY > 0 ? 1.2 : 1 / 1.2;
    const r = svg.getBoundingClientRect();
    const px = box.x + (ev.clientX - r.left) * unitsPerPixel();
    const py = box.y + (ev.clientY - r.top) * unitsPerPixel();
    box.x = px - (px - box.x) * factor;
    box.y = py - (py - box.y) * factor;
    box.w *= factor;
    box.h *= factor;
    setViewBox();
  }, { passive: false });

  // pan by dragging
  let drag = null;
  svg.addEventListener("pointerdown", function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, scale: unitsPerPixel() };
    canvas.classList.add("panning");
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    box.x -= (ev.clientX - drag.x) * drag.scale;
    box.y -= (ev.clientY - drag.y) * drag.scale;
    drag.x = ev.clientX;
    drag.y = ev.clientY;
    setViewBox();
  });
  window.addEventListener("pointerup", function () {
    drag = null;
    canvas.classList.remove("panning");
  });

  // details of the node under the pointer, or of the one clicked
  let selected = null;
  function show(id) {
    fields.textContent = "";
    const info = id === null ? null : data.details[id];
    if (!info) {
      const dd = document.createElement("dd");
      dd.textContent = "hover or click a node";
      fields.append(dd);
      return;
    }
    Object.keys(info).forEach(function (key) {
      if (info[key] === "") return;
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = key;
      dd.textContent = info[key];
      dd.dataset.field = key;
      fields.append(dt, dd);
    });
  }
  svg.querySelectorAll("g.node").forEach(function (node) {
    node.addEventListener("mouseenter", function () { show(node.id); });
    node.addEventListener("mouseleave", function () { show(selected); });
    node.addEventListener("click", function () {
      if (selected) document.getElementById(selected).classList.remove("selected");
      selected = node.id;
      node.classList.add("selected");
      show(selected);
    });
  });

  // collapse or expand an inner graph by clicking its title
  const collapsed = new Set();
  function refresh() {
    const hidden = new Set();
    collapsed.forEach(function (cid) { data.clusters[cid].forEach(function (id) { hidden.add(id); }); });
    Object.keys(data.clusters).forEach(function (cid) {
      data.clusters[cid].forEach(function (id) {
        const el = document.getElementById(id);
        if (el) el.style.display = hidden.has(id) ? "none" : "";
      });
      const cluster = document.getElementById(cid);
      cluster.classList.toggle("collapsed", collapsed.has(cid));
      const title = cluster.querySelector("text");
      title.textContent = (collapsed.has(cid) ? "\u25B8 " : "\u25BE ") + data.details[cid].name;
    });
  }
  Object.keys(data.clusters).forEach(function (cid) {
    const title = document.getElementById(cid).querySelector("text");
    title.addEventListener("pointerdown", function (ev) { ev.stopPropagation(); });
    title.addEventListener("click", function () {
      if (collapsed.has(cid)) collapsed.delete(cid); else collapsed.add(cid);
      refresh();
    });
  });
  refresh();
  show(null);
})();
