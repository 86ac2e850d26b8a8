// The first opening of a signing link in this browser: the time zone is noted (the service
// records each opening with it) and the page is asked for again.

const found = Intl.DateTimeFormat().resolvedOptions().timeZone;
const zone = found && /^[A-Za-z0-9_+\-/]{1,64}$/.test(found) ? found : "UTC";
const secure = location.protocol === "https:" ? "; secure" : "";
const cookie = document.querySelector("[data-time-zone-cookie]").dataset.timeZoneCookie;
document.cookie = `${cookie}=${zone}; path=/sign; max-age=31536000; samesite=lax${secure}`;
const url = new URL(location.href);
url.searchParams.set("time_zone", zone);
location.replace(url);
