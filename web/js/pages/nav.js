// The staff navigation: what a coordinator, a CU manager or the Trust works on, from where they are.

import { h } from "../dom.js";

function link(href, label, current) {
  return h("li", {}, h("a", { href, class: "site-nav__link", "aria-current": current ? "page" : null }, label));
}

export function staffNav(user, params, pattern) {
  const items = [];
  const here = (prefix) => `#/${pattern}`.startsWith(prefix);
  if (user.role === "trust_admin") {
    items.push(link("#/partners", "Partners", pattern.startsWith("partners") || pattern.startsWith("schools")));
    items.push(link("#/national", "National report", pattern === "national"));
  } else if (user.role === "partner_manager") {
    const base = `#/partners/${encodeURIComponent(user.partner_id)}`;
    items.push(link(base, "Schools", pattern === "partners/:partnerId" || pattern.startsWith("schools")));
    items.push(link(`${base}/activities`, "Activities", here("#/partners/:partnerId/activities")));
    items.push(link(`${base}/report`, "Report", pattern === "partners/:partnerId/report"));
    items.push(link(`${base}/graduation`, "Graduation", pattern === "partners/:partnerId/graduation"));
  } else {
    const base = `#/schools/${encodeURIComponent(user.school_id)}`;
    items.push(link(base, "Home", pattern === "schools/:schoolId"));
    items.push(link(`${base}/pupils`, "Pupils", here("#/schools/:schoolId/pupils")));
    items.push(link(`${base}/group-hours`, "Record hours", pattern === "schools/:schoolId/group-hours"));
    items.push(link(`${base}/certificates`, "Certificates", pattern === "schools/:schoolId/certificates"));
    items.push(link(`${base}/upload`, "Upload", pattern === "schools/:schoolId/upload"));
    items.push(link(`${base}/activities`, "Activities", here("#/schools/:schoolId/activities")));
    items.push(link(`${base}/report`, "Report", pattern === "schools/:schoolId/report"));
    items.push(link(`${base}/settings`, "Settings", pattern === "schools/:schoolId/settings"));
    items.push(link(`${base}/graduation`, "Graduation", pattern === "schools/:schoolId/graduation"));
  }
  items.push(link("#/compliance", "Compliance", pattern === "compliance"));
  return h("ul", { class: "site-nav__list" }, items);
}
