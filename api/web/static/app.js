/* VocFlow pages: repeating rows, file checks and upload progress, diagrams. No inline code:
   the Content-Security-Policy allows scripts from this site only. */
(function () {
  "use strict";

  function renumber(tbody, name) {
    tbody.querySelectorAll("tr[data-row]").forEach(function (tr, index) {
      tr.querySelectorAll("[name], [for], [id]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v && v.indexOf(name + "-") === 0) {
            el.setAttribute(attr, v.replace(new RegExp("^" + name + "-(\\d+|__i__)-"), name + "-" + index + "-"));
          }
        });
      });
    });
  }

  document.addEventListener("click", function (ev) {
    var add = ev.target.closest("[data-add-row]");
    var remove = ev.target.closest("[data-remove-row]");
    if (add) {
      var set = add.closest("[data-rows]");
      var tbody = set.querySelector("tbody");
      var row = set.querySelector("template[data-row-template]").content.firstElementChild.cloneNode(true);
      tbody.appendChild(row);
      renumber(tbody, set.getAttribute("data-rows"));
      var first = row.querySelector("input, select");
      if (first) { first.focus(); }
    } else if (remove) {
      var fs = remove.closest("[data-rows]");
      remove.closest("tr").remove();
      renumber(fs.querySelector("tbody"), fs.getAttribute("data-rows"));
      fs.querySelector("[data-add-row]").focus();
    }
  });

  function checkFiles(input) {
    var box = input.closest(".file-field");
    if (!box) { return true; }
    var max = parseInt(box.getAttribute("data-max-bytes"), 10);
    var types = box.getAttribute("data-types").split(",");
    var msg = box.querySelector(".file-check");
    var problems = [];
    Array.prototype.forEach.call(input.files, function (f) {
      var ext = "." + f.name.split(".").pop().toLowerCase();
      if (types.indexOf(ext) < 0) { problems.push(f.name + "：" + (document.documentElement.lang === "en" ? "file type not allowed" : "不允许的文件类型")); }
      if (f.size > max) { problems.push(f.name + "：" + (document.documentElement.lang === "en" ? "file too large" : "文件过大")); }
    });
    msg.textContent = problems.join("；");
    msg.hidden = problems.length === 0;
    input.setCustomValidity(problems.join("; "));
    return problems.length === 0;
  }

  document.addEventListener("change", function (ev) {
    if (ev.target.matches("input[type=file]")) { checkFiles(ev.target); }
  });

  // Forms with files go up by XMLHttpRequest so that a progress bar can show; the answer
  // (the next page, or the same form with its errors) replaces the document.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var inputs = form.querySelectorAll("input[type=file]");
    var any = Array.prototype.some.call(inputs, function (i) { return i.files.length > 0; });
    if (!any || !window.FormData) { return; }
    if (!Array.prototype.every.call(inputs, checkFiles)) { ev.preventDefault(); return; }
    ev.preventDefault();
    var bar = form.querySelector("progress.upload");
    if (bar) { bar.hidden = false; bar.value = 0; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (bar && e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    xhr.addEventListener("load", function () {
      // The answer is already the next page (a redirect was followed, and its one-time
      // message read): show it, and put its address in the location bar.
      var next = xhr.responseURL;
      document.open(); document.write(xhr.responseText); document.close();
      if (next && next !== form.action) { window.history.replaceState(null, "", next); }
    });
    xhr.send(new FormData(form));
  });

  function drawDiagram(el) {
    if (!window.BpmnJS) { return; }
    var data = JSON.parse(document.getElementById(el.getAttribute("data-source")).textContent);
    var viewer = new window.BpmnJS({ container: el });
    viewer.importXML(data.xml).then(function () {
      var canvas = viewer.get("canvas");
      var overlays = viewer.get("overlays");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      (data.marks || []).forEach(function (m) {
        if (!registry.get(m.id)) { return; }
        canvas.addMarker(m.id, m.css);
        if (m.label) {
          var span = document.createElement("span");
          span.className = "ov " + m.kind;
          span.textContent = m.label;
          overlays.add(m.id, { position: { bottom: -2, left: 0 }, html: span });
        }
      });
    }).catch(function (err) { el.textContent = String(err); });
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]; }
    catch (e) { return ""; }
  }

  // Bulk retry: one request per chosen incident, one after another, with a progress bar.
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-bulk-retry]");
    if (!button) { return; }
    var boxes = Array.prototype.filter.call(
      document.querySelectorAll("input[data-incident]"), function (b) { return b.checked; });
    var bar = document.getElementById("bulk-progress");
    var status = document.getElementById("bulk-status");
    var reason = document.getElementById("bulk-reason");
    if (!reason.value.trim()) {
      status.textContent = button.getAttribute("data-need-reason");
      reason.focus();
      return;
    }
    var body = new URLSearchParams({ reason: reason.value.trim() });
    var done = 0;
    bar.hidden = false; bar.value = 0; button.disabled = true;
    function next() {
      if (done === boxes.length) {
        status.textContent = done + " / " + boxes.length;
        button.disabled = false;
        return;
      }
      var box = boxes[done];
      fetch(box.getAttribute("data-retry-url"), {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRF-Token": csrfToken(), "HX-Request": "true" }
      }).then(function (r) { return r.text(); }).then(function (html) {
        document.getElementById("retry-result-" + box.getAttribute("data-incident")).innerHTML = html;
      }).finally(function () {
        done += 1;
        bar.value = Math.round(100 * done / boxes.length);
        status.textContent = done + " / " + boxes.length;
        next();
      });
    }
    next();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-diagram]").forEach(drawDiagram);
    var charts = document.getElementById("chart-data");
    if (charts && window.echarts) {
      var options = JSON.parse(charts.textContent);
      document.querySelectorAll("[data-chart]").forEach(function (el) {
        window.echarts.init(el, null, { renderer: "svg" }).setOption(options[el.getAttribute("data-chart")]);
      });
    }
  });
})();
