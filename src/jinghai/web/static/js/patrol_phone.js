// The patrol leader's phone page. Works without signal: check-ins and GPS points are kept
// in localStorage (with their original time and position) and sent when the network is
// back; each check-in carries an id made here, so one sent twice is stored once.
(function () {
  "use strict";
  var root = document.getElementById("patrol-phone");
  if (!root) return;
  var csrf = root.dataset.csrf;
  var KEY_QUEUE = "jh.patrol.queue", KEY_POINTS = "jh.patrol.points", KEY_LP = "jh.patrol.landing";
  var KEY_REFUSED = "jh.patrol.refused";
  var KEY_MISSION = "jh.patrol.mission";
  // The server's word when online; offline (the page came from the service worker's copy)
  // the phone's own note of the mission under way.
  var mission = root.dataset.active ? parseInt(root.dataset.active, 10) : null;
  if (!mission && !navigator.onLine && localStorage.getItem(KEY_MISSION)) {
    mission = parseInt(localStorage.getItem(KEY_MISSION), 10);
  }
  if (mission) localStorage.setItem(KEY_MISSION, String(mission)); else localStorage.removeItem(KEY_MISSION);
  var here = null; // last GPS fix {lon, lat, ts}
  var recorded = 0;

  function $(id) { return document.getElementById(id); }
  function load(key) { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } }
  function save(key, v) { localStorage.setItem(key, JSON.stringify(v)); }
  function uid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function show(id, text) { var el = $(id); el.textContent = text || ""; el.hidden = !text; }
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body) });
  }
  // A refusal (4xx) is final: the server said why. Anything else (no network, 5xx) is retried.
  function send(url, body) {
    return post(url, body).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.ok) return { ok: true, body: j };
        if (r.status >= 400 && r.status < 500) return { ok: false, final: true, message: j.detail || ("错误 " + r.status) };
        return { ok: false, final: false };
      });
    }, function () { return { ok: false, final: false }; });
  }

  // --- landing points, cached for offline use ------------------------------------------
  function distanceM(a, b) {
    var R = 6371008.8, rad = Math.PI / 180;
    var dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    var s = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * R * Math.asin(Math.sqrt(s));
  }
  function fillPoints() {
    var sel = $("c-zone"), pts = load(KEY_LP), keep = sel.value;
    if (here) pts.sort(function (a, b) { return distanceM(here, a) - distanceM(here, b); });
    sel.innerHTML = "";
    pts.forEach(function (p) {
      var o = document.createElement("option");
      o.value = p.id;
      o.textContent = p.name + "（" + (p.subtype || "国际锚地") + (here ? "，约" + Math.round(distanceM(here, p)) + "米" : "") + "）";
      sel.appendChild(o);
    });
    if (keep) sel.value = keep;
  }
  fetch("/api/patrol/landing-points", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (pts) { if (pts) save(KEY_LP, pts); fillPoints(); }, fillPoints);

  // --- GPS ---------------------------------------------------------------------------------
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(function (pos) {
      here = { lon: pos.coords.longitude, lat: pos.coords.latitude, ts: new Date(pos.timestamp || Date.now()).toISOString() };
      $("gps-state").textContent = "定位：" + here.lat.toFixed(5) + "N " + here.lon.toFixed(5) + "E（精度约" + Math.round(pos.coords.accuracy || 0) + "米）";
      if (mission) {
        var pts = load(KEY_POINTS);
        var last = pts.length ? pts[pts.length - 1] : null;
        // at most one point each 10 s unless the phone moved 20 m: enough for the track,
        // small enough to keep hours of patrol on the phone while offline
        if (!last || (Date.parse(here.ts) - Date.parse(last.ts) >= 10000) || distanceM(last, here) >= 20) { pts.push({ mission: mission, ts: here.ts, lon: here.lon, lat: here.lat }); save(KEY_POINTS, pts); recorded++; }
        counts();
      }
      fillPoints();
    }, function (err) {
      $("gps-state").textContent = err.code === 1 ? "未允许定位：请在浏览器设置中允许本网站使用位置" :
        (err.code === 3 ? "定位超时，正在重试……" : "暂时无法定位，正在重试……");
    },
    { enableHighAccuracy: true, maximumAge: 5000, timeout: 20000 });
  } else {
    $("gps-state").textContent = "此设备不支持定位";
  }

  // --- the offline queue --------------------------------------------------------------------
  function counts() {
    $("track-count").textContent = recorded;
    $("track-pending").textContent = load(KEY_POINTS).length;
    var ul = $("queue"); ul.innerHTML = "";
    load(KEY_QUEUE).forEach(function (c) {
      var li = document.createElement("li");
      li.textContent = (c.kind === "inspection" ? "待发送：" : "待发送打卡：") + c.zone_name + "（" + new Date(c.at).toLocaleString("zh-CN") + "）";
      ul.appendChild(li);
    });
    load(KEY_REFUSED).forEach(function (c) {
      var li = document.createElement("li");
      li.className = "issue error";
      li.textContent = "未被接受：" + c.zone_name + " — " + c.message;
      ul.appendChild(li);
    });
  }
  var flushing = false;
  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    return flushPoints().then(flushCheckins).then(function () { flushing = false; counts(); },
      function () { flushing = false; counts(); });
  }
  function flushPoints() {
    var pts = load(KEY_POINTS);
    if (!pts.length) return Promise.resolve();
    var byMission = {};
    pts.forEach(function (p) { (byMission[p.mission] = byMission[p.mission] || []).push(p); });
    var ids = Object.keys(byMission);
    return ids.reduce(function (chain, id) {
      return chain.then(function () {
        var batch = byMission[id].slice(0, 2000);
        return send("/api/patrol/missions/" + id + "/track",
          { points: batch.map(function (p) { return { ts: p.ts, lon: p.lon, lat: p.lat }; }) })
          .then(function (res) {
            if (res.ok || res.final) {
              var sent = {}; batch.forEach(function (p) { sent[p.mission + p.ts] = true; });
              save(KEY_POINTS, load(KEY_POINTS).filter(function (p) { return !sent[p.mission + p.ts]; }));
              if (!res.ok) show("phone-error", "部分轨迹未被接受：" + res.message);
            }
          });
      });
    }, Promise.resolve());
  }
  function flushCheckins() {
    var queue = load(KEY_QUEUE);
    return queue.reduce(function (chain, c) {
      return chain.then(function (stop) {
        if (stop) return true;
        var body = Object.assign({}, c); delete body.zone_name; delete body.kind;
        var url = c.kind === "inspection" ? "/api/patrol/inspections" : "/api/patrol/checkins";
        return send(url, body).then(function (res) {
          if (!res.ok && !res.final) return true; // offline: keep the rest for later
          save(KEY_QUEUE, load(KEY_QUEUE).filter(function (x) { return x.client_id !== c.client_id; }));
          if (res.ok) {
            show("phone-ok", (c.kind === "inspection" ? "已送达：" : "打卡已送达：") + c.zone_name + (res.body.duplicate ? "（此前已收到）" : ""));
          } else {
            var refused = load(KEY_REFUSED); refused.push({ zone_name: c.zone_name, message: res.message }); save(KEY_REFUSED, refused);
            show("phone-error", "打卡未被接受：" + res.message);
          }
          return false;
        });
      });
    }, Promise.resolve(false));
  }
  function netState() { $("net-state").textContent = navigator.onLine ? "网络：在线" : "网络：离线（打卡先保存在手机上）"; }
  window.addEventListener("online", function () { netState(); flush(); });
  window.addEventListener("offline", netState);
  netState();
  setInterval(flush, 15000);

  // --- photo: re-encoded as JPEG, at most 1600 px, so it fits the phone's storage ----------
  function readPhoto(file) {
    if (!file) return Promise.resolve("");
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var k = Math.min(1, 1600 / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.max(1, Math.round(img.width * k)); c.height = Math.max(1, Math.round(img.height * k));
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        resolve(c.toDataURL("image/jpeg", 0.8));
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("照片无法读取，请换一张 JPEG 或 PNG 照片")); };
      img.src = url;
    });
  }

  // --- actions -------------------------------------------------------------------------------
  function num(id) { var v = $(id).value.trim(); return v === "" ? 0 : parseInt(v, 10); }
  $("m-start").addEventListener("click", function () {
    show("phone-error", ""); show("phone-ok", "");
    var body = { kind: $("m-kind").value, crew_count: num("m-crew"), vehicles: num("m-vehicles"), boats: [] };
    var mmsi = $("m-boat-mmsi").value.trim();
    if (mmsi && !/^[0-9]{9}$/.test(mmsi)) { show("phone-error", "MMSI 应为 9 位数字"); return; }
    if ($("m-boat").value.trim()) {
      var boat = { name: $("m-boat").value.trim(), boat_type: $("m-boat-type").value };
      if (mmsi) boat.mmsi = parseInt(mmsi, 10);
      body.boats.push(boat);
    }
    send("/api/patrol/missions", body).then(function (res) {
      if (!res.ok) { show("phone-error", res.final ? res.message : "开始任务需要网络，请稍后重试"); return; }
      mission = res.body.id;
      localStorage.setItem(KEY_MISSION, String(mission));
      root.dataset.activeKind = res.body.kind;
      $("m-id").textContent = "#" + mission;
      $("start-card").hidden = true; $("active-card").hidden = false;
      show("phone-ok", "任务已开始");
      if (here) { save(KEY_POINTS, load(KEY_POINTS).concat([{ mission: mission, ts: new Date().toISOString(), lon: here.lon, lat: here.lat }])); recorded++; counts(); }
    });
  });
  $("c-submit").addEventListener("click", function () {
    show("phone-error", ""); show("phone-ok", "");
    var sel = $("c-zone");
    if (!sel.value) { show("phone-error", "请选择打卡点位"); return; }
    if (!here) { show("phone-error", "尚未获取定位，不能打卡"); return; }
    var file = $("c-photo").files[0];
    readPhoto(file).then(function (photo) {
      var rec = { client_id: uid(), zone_id: sel.value, zone_name: sel.options[sel.selectedIndex].textContent.split("（")[0],
        at: new Date().toISOString(), lon: here.lon, lat: here.lat, persons_checked: num("c-persons"),
        vessels_checked: num("c-vessels"), finding: $("c-finding").value.trim(), make_clue: $("c-clue").checked,
        mission_id: mission, photo_b64: photo };
      var q = load(KEY_QUEUE); q.push(rec);
      try { save(KEY_QUEUE, q); } catch (e) { show("phone-error", "手机存储已满，请先联网发送待发送的打卡"); return; }
      $("c-photo").value = ""; $("c-finding").value = ""; $("c-clue").checked = false;
      show("phone-ok", "打卡已保存，正在发送……");
      counts();
      flush();
    }, function (err) { show("phone-error", err.message); });
  });
  $("i-submit").addEventListener("click", function () {
    show("phone-error", ""); show("phone-ok", "");
    var reg = $("i-registry").value.trim(), mmsi = $("i-mmsi").value.trim(), name = $("i-name").value.trim();
    if (!reg && !mmsi && !name) { show("phone-error", "请填写渔船编号、MMSI 或船名"); return; }
    if (mmsi && !/^[0-9]{9}$/.test(mmsi)) { show("phone-error", "MMSI 应为 9 位数字"); return; }
    var rec = { kind: "inspection", client_id: uid(), zone_name: "查验 " + (reg || name || mmsi),
      mission_id: mission, at: new Date().toISOString(), place_kind: $("i-place").value,
      registry_no: reg, vessel_name: name, persons_checked: num("i-persons"), illegal: $("i-illegal").checked };
    if (mmsi) rec.mmsi = parseInt(mmsi, 10);
    if (here) { rec.lon = here.lon; rec.lat = here.lat; }
    var q = load(KEY_QUEUE); q.push(rec); save(KEY_QUEUE, q);
    $("i-registry").value = ""; $("i-mmsi").value = ""; $("i-name").value = ""; $("i-illegal").checked = false;
    show("phone-ok", "查验已保存，正在发送……");
    counts(); flush();
  });
  $("m-end").addEventListener("click", function () {
    show("phone-error", ""); show("phone-ok", "");
    flush().then(function () {
      if (load(KEY_POINTS).some(function (p) { return p.mission === mission; }) ||
          load(KEY_QUEUE).some(function (c) { return c.mission_id === mission; })) {
        show("phone-error", "还有未发送的轨迹或打卡，请联网后再结束任务"); return;
      }
      send("/api/patrol/missions/" + mission + "/end",
        { persons_checked: num("e-persons"), vehicles_checked: num("e-vehicles") }).then(function (res) {
        if (!res.ok) { show("phone-error", res.final ? res.message : "结束任务需要网络，请稍后重试"); return; }
        show("phone-ok", "任务已结束，巡航面积 " + (res.body.swept_km2 === null ? 0 : res.body.swept_km2) + " 平方公里");
        mission = null;
        localStorage.removeItem(KEY_MISSION);
        $("active-card").hidden = true; $("start-card").hidden = false;
      });
    });
  });
  if (mission) {
    $("m-id").textContent = "#" + mission;
    $("start-card").hidden = true; $("active-card").hidden = false;
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/patrol/sw.js", { scope: "/patrol/" }).catch(function () {});
  }
  counts();
  flush();
})();
