// On a phone the navigation starts folded behind 菜单; without JavaScript it simply stays open.
(function () {
  var menu = document.getElementById("main-menu");
  if (menu && window.matchMedia("(max-width: 40rem)").matches) menu.open = false;
})();

// Idle-session warning: shown inline (no pop-up) before the server ends an idle session.
(function () {
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  var warn = parseInt(body.dataset.warningSeconds || "0", 10);
  if (!idle) return;
  var banner = document.getElementById("idle-warning");
  var stay = document.getElementById("idle-stay");
  var started = Date.now();
  function csrf() {
    var m = document.cookie.match(/csrftoken=([^;]+)/);
    return m ? m[1] : "";
  }
  function tick() {
    var left = idle - (Date.now() - started) / 1000;
    if (left <= 0) { window.location.href = "/accounts/login/?next=" + encodeURIComponent(location.pathname); return; }
    if (left <= warn) {
      if (banner.hidden) { banner.hidden = false; stay.focus(); }
      document.getElementById("idle-warning-text").textContent =
        (document.documentElement.lang === "en" ? "You will be signed out for inactivity in " + Math.ceil(left) + " s." :
          "您长时间未操作，将在 " + Math.ceil(left) + " 秒后自动退出登录。");
    }
  }
  stay.addEventListener("click", function () {
    fetch("/accounts/keepalive/", { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { if (r.ok) { started = Date.now(); banner.hidden = true; } });
  });
  document.body.addEventListener("htmx:afterRequest", function () { started = Date.now(); });
  setInterval(tick, 1000);
})();

// A button marked data-expand-once (the tree's 展开下级) hides itself once its htmx request has loaded the children.
document.addEventListener("htmx:afterRequest", function (e) {
  var button = e.target;
  if (button && button.hasAttribute && button.hasAttribute("data-expand-once") && e.detail && e.detail.successful) {
    button.setAttribute("aria-expanded", "true");
    button.hidden = true;
  }
});
