// The client portal's menu of workspaces: folded on a phone, under the current workspace's
// name, so that the page starts with its content; always open on a wider screen.

const menu = document.querySelector(".portal-menu");
const phone = window.matchMedia("(max-width: 760px)");

function fit() {
  if (menu) menu.open = !phone.matches;
}

fit();
phone.addEventListener("change", fit);
