// "My documents": a preview that cannot be drawn (a file the service could not render)
// leaves the download link, not a broken image.

for (const image of document.querySelectorAll("img[data-preview]")) {
  const drop = () => image.closest(".md-preview")?.remove();
  if (image.complete && image.naturalWidth === 0) drop();
  else image.addEventListener("error", drop);
}
