// A pad to draw a signature with a mouse, a finger or a pen (pointer events). The strokes
// are kept as points relative to the pad's width, so the pad takes its container's width,
// and a resize or a phone's rotation draws the same signature again at the new size.

const RATIO = 3; // width : height
const INK = "#1f2a44";

export class SignaturePad {
  constructor(canvas, { onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.onChange = onChange;
    this.strokes = [];
    this.current = null;
    this.context = canvas.getContext("2d");
    canvas.addEventListener("pointerdown", (event) => this.#down(event));
    canvas.addEventListener("pointermove", (event) => this.#move(event));
    for (const type of ["pointerup", "pointercancel"]) canvas.addEventListener(type, (event) => this.#up(event));
    // Touches draw; they neither scroll nor zoom the page.
    canvas.addEventListener("touchstart", (event) => event.preventDefault(), { passive: false });
    this.observer = new ResizeObserver(() => this.layout());
    this.observer.observe(canvas.parentElement);
    this.layout();
  }

  get empty() {
    return this.strokes.length === 0;
  }

  // The canvas fills its container's width, sharp on the screen's pixels.
  layout() {
    const width = this.canvas.parentElement.clientWidth;
    if (!width) return;
    const height = Math.round(width / RATIO);
    const scale = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * scale);
    this.canvas.height = Math.round(height * scale);
    this.width = width;
    this.context.setTransform(scale, 0, 0, scale, 0, 0);
    this.redraw();
  }

  clear() {
    this.strokes = [];
    this.redraw();
    this.onChange();
  }

  redraw() {
    const { context } = this;
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    for (const stroke of this.strokes) this.#draw(context, stroke, this.width);
  }

  #point(event) {
    const box = this.canvas.getBoundingClientRect();
    const pressure = event.pressure && event.pointerType === "pen" ? event.pressure : 0.5;
    return [(event.clientX - box.left) / box.width, ((event.clientY - box.top) / box.width), pressure];
  }

  #down(event) {
    if (event.button !== undefined && event.button > 0) return;
    event.preventDefault();
    this.canvas.setPointerCapture?.(event.pointerId);
    this.current = [this.#point(event)];
    this.strokes.push(this.current);
    this.redraw();
  }

  #move(event) {
    if (!this.current) return;
    event.preventDefault();
    const events = event.getCoalescedEvents?.() || [event];
    for (const each of events.length ? events : [event]) this.current.push(this.#point(each));
    this.redraw();
  }

  #up() {
    if (!this.current) return;
    this.current = null;
    this.onChange();
  }

  // A stroke with smooth curves through its points; a dot for a single tap.
  #draw(context, stroke, width) {
    const line = Math.max(1.6, width * 0.007);
    context.strokeStyle = INK;
    context.fillStyle = INK;
    context.lineCap = "round";
    context.lineJoin = "round";
    const points = stroke.map(([x, y, pressure]) => [x * width, y * width, pressure]);
    if (points.length === 1) {
      context.beginPath();
      context.arc(points[0][0], points[0][1], line * 0.7, 0, Math.PI * 2);
      context.fill();
      return;
    }
    context.lineWidth = line * (0.6 + points[0][2] * 0.8);
    context.beginPath();
    context.moveTo(points[0][0], points[0][1]);
    for (let index = 1; index < points.length - 1; index += 1) {
      const [x, y] = points[index];
      const [nx, ny] = points[index + 1];
      context.quadraticCurveTo(x, y, (x + nx) / 2, (y + ny) / 2);
    }
    const last = points[points.length - 1];
    context.lineTo(last[0], last[1]);
    context.stroke();
  }

  // The drawing as a PNG data URL, cropped to the ink with a small margin.
  toDataUrl(width = 900) {
    if (this.empty) return null;
    const all = this.strokes.flat();
    const xs = all.map((point) => point[0]);
    const ys = all.map((point) => point[1]);
    const margin = 0.02;
    const left = Math.max(0, Math.min(...xs) - margin);
    const top = Math.max(0, Math.min(...ys) - margin);
    const right = Math.min(1, Math.max(...xs) + margin);
    const bottom = Math.min(1 / RATIO, Math.max(...ys) + margin);
    const canvas = document.createElement("canvas");
    const spanX = Math.max(right - left, 0.05);
    const spanY = Math.max(bottom - top, 0.02);
    canvas.width = Math.round(width * spanX);
    canvas.height = Math.round(width * spanY);
    const context = canvas.getContext("2d");
    context.translate(-left * width, -top * width);
    for (const stroke of this.strokes) this.#draw(context, stroke, width);
    return canvas.toDataURL("image/png");
  }
}

