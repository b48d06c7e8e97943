/* SPDX-License-Identifier: MIT */
/*
 * The test guest: sets a 1024x768x32 Bochs VBE mode (QEMU -vga std), draws
 * a fixed picture, and echoes every key from the PS/2 controller as a cell
 * in a row along the bottom: a colour for the key and its 8-bit code
 * (XT set 1, 0xe0 XX shown as 0x80|XX, QEMU's qnum) as squares, white for
 * a 1 bit, most significant first. Progress goes to the debug port 0xe9
 * (QEMU -debugcon): "READY" once the picture is up, "KEY 0xNN" per cell,
 * so a test knows what the screen should show by now. Caps, Num and Scroll
 * Lock toggle the keyboard's LEDs as a PS/2 driver does (command 0xed),
 * which QEMU reports as Keyboard.Modifiers; "LEDS 0xN" (bit 0 Scroll,
 * 1 Num, 2 Caps) goes to the debug port after each.
 *
 * The multiboot command line (-append) picks other modes:
 *   bench        repaint a 1920x1080 screen without pause (tests/qemu/bench.py)
 *   anim=square  a 200x200 square moving across a still screen  } 1024x768,
 *   anim=fill    the whole screen a new colour each frame        } 60 frames/s
 *   anim=scroll  a texture scrolling up the whole screen         } (the PIT)
 *   anim=blink   the still picture with a text cursor (8x16) blinking
 *                twice a second, as a console's would
 *   anim=still   the still picture, nothing changing after it
 *   latency      the still picture; each key press repaints a 128x128
 *                square in the middle at once (tests/perf: key -> pixels)
 *   text         first a fixed screen in the VGA text mode SeaBIOS left
 *                (80x25, 720x400; "TEXT" on 0xe9), then, at the first key
 *                press, the 1024x768 mode and picture as without it (that
 *                key is not echoed): a guest changing mode
 * The anim modes draw a frame counter (see draw_counter) that tests/perf
 * reads off the screen to count the frames a display really showed.
 */
#include <stdbool.h>
#include <stdint.h>

#define WIDTH 1024
#define HEIGHT 768
#define CELL_W 56
#define CELL_H 40
#define CELLS_X 32
#define CELLS_Y 560
#define CELLS_PER_ROW 17
#define BENCH_WIDTH 1920
#define BENCH_HEIGHT 1080
#define ANIM_FPS 60
#define COUNTER_CELL 8
#define SQUARE 200
#define SQUARE_Y ((HEIGHT - SQUARE) / 2)
#define SQUARE_MIN_X (8 + 18 * COUNTER_CELL + 8) /* right of the counter */
#define SQUARE_STEP 8
#define TILE_H 256
#define SCROLL_STEP 4

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void
debug_print(const char *s)
{
	while (*s != '\0')
		outb(0xe9, (uint8_t)*s++);
}

static void
debug_hex(const char *prefix, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	char text[8] = { '0', 'x', digits[(v >> 4) & 15], digits[v & 15], '\n', 0 };
	debug_print(prefix);
	debug_print(text);
}

/* BAR0 of the Bochs VGA (PCI 1234:1111) is its linear framebuffer. */
static volatile uint32_t *
find_framebuffer(void)
{
	for (uint32_t dev = 0; dev < 32; dev++) {
		uint32_t addr = 0x80000000u | (dev << 11);
		outl(0xcf8, addr);
		if (inl(0xcfc) == 0x11111234u) {
			outl(0xcf8, addr | 0x10);
			return (volatile uint32_t *)(uintptr_t)(inl(0xcfc) & ~0xfu);
		}
	}
	return (volatile uint32_t *)0xfd000000u; /* QEMU pc's usual place */
}

static void
vbe_write(uint16_t index, uint16_t value)
{
	outw(0x1ce, index);
	outw(0x1cf, value);
}

static volatile uint32_t *fb;

static void
fill(int x, int y, int w, int h, uint32_t colour)
{
	for (int row = y; row < y + h; row++)
		for (int col = x; col < x + w; col++)
			fb[row * WIDTH + col] = colour;
}

static void
draw_picture(void)
{
	static const uint32_t bars[8] = {
		0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
		0xff00ff, 0xff0000, 0x0000ff, 0x808080,
	};
	fill(0, 0, WIDTH, HEIGHT, 0x203040);
	fill(0, 0, WIDTH, 4, 0xffffff);
	fill(0, HEIGHT - 4, WIDTH, 4, 0xffffff);
	fill(0, 0, 4, HEIGHT, 0xffffff);
	fill(WIDTH - 4, 0, 4, HEIGHT, 0xffffff);
	for (int i = 0; i < 8; i++)
		fill(32 + i * 120, 32, 110, 160, bars[i]);
	for (int cy = 0; cy < 8; cy++)
		for (int cx = 0; cx < 30; cx++)
			fill(32 + cx * 32, 224 + cy * 32, 32, 32,
			     (cx + cy) % 2 ? 0xc0c0c0 : 0x404040);
	/* Orientation marks: a red square top-left, a green one bottom-right
	 * of the checkerboard, so a flipped or mirrored frame shows. */
	fill(40, 232, 16, 16, 0xff0000);
	fill(32 + 30 * 32 - 24, 224 + 8 * 32 - 24, 16, 16, 0x00ff00);
}

static const uint32_t key_colours[8] = {
	0xe04040, 0x40e040, 0x4040e0, 0xe0e040,
	0xe040e0, 0x40e0e0, 0xe09040, 0x9040e0,
};

static void
draw_key(int n, uint32_t code)
{
	int x = CELLS_X + (n % CELLS_PER_ROW) * CELL_W;
	int y = CELLS_Y + (n / CELLS_PER_ROW % 4) * (CELL_H + 8);
	fill(x, y, CELL_W - 8, CELL_H, 0x000000);
	fill(x, y, CELL_W - 8, 24, key_colours[code % 8]);
	for (int bit = 0; bit < 8; bit++)
		fill(x + 1 + bit * 6, y + 28, 5, 8,
		     code & (0x80u >> bit) ? 0xffffff : 0x303030);
}

/* The PICs on vectors 0x20..0x2f, only the IRQs in unmasked (bit n: IRQ n
 * of the master) let through. */
static void
pic_init(uint8_t unmasked)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, (uint8_t)~unmasked);
	outb(0xa1, 0xff);
}

static void
keyboard_init(void)
{
	while (inb(0x64) & 1)
		inb(0x60);
	/* Command byte: keyboard interrupt on, set 1 translation, mouse off. */
	while (inb(0x64) & 2)
		;
	outb(0x64, 0x60);
	while (inb(0x64) & 2)
		;
	outb(0x60, 0x65);
}

/* A byte to the keyboard itself (port 0x60) once the controller takes
 * it; its ACK (0xfa) comes back as a byte with the high bit set, which
 * the key loop skips like a release. */
static void
keyboard_send(uint8_t byte)
{
	while (inb(0x64) & 2)
		;
	outb(0x60, byte);
}

/* Caps (0x3a), Num (0x45) and Scroll (0x46) Lock: the LED byte's bits. */
static uint8_t
lock_led(uint32_t code)
{
	return code == 0x3a ? 4 : code == 0x45 ? 2 : code == 0x46 ? 1 : 0;
}

/* PIT channel 0 as a rate generator: IRQ 0 hz times a second. */
static void
pit_init(uint32_t hz)
{
	uint32_t divisor = 1193182u / hz;
	outb(0x43, 0x34);
	outb(0x40, (uint8_t)divisor);
	outb(0x40, (uint8_t)(divisor >> 8));
}

static void
set_mode(uint16_t width, uint16_t height)
{
	vbe_write(4, 0);
	vbe_write(1, width);
	vbe_write(2, height);
	vbe_write(3, 32);
	vbe_write(4, 0x41); /* enabled, linear framebuffer */
}

/* -append bench: 1920x1080, every pixel changed every frame, for ever,
 * so that QEMU sends a full-frame update at each refresh. */
static void
bench(void)
{
	set_mode(BENCH_WIDTH, BENCH_HEIGHT);
	debug_print("BENCH\n");
	for (uint32_t frame = 0;; frame++) {
		uint32_t colour = (frame * 0x030507u) & 0xffffffu;
		for (uint32_t i = 0; i < BENCH_WIDTH * BENCH_HEIGHT; i++)
			fb[i] = colour;
	}
}

/* The frame counter of the anim modes: a magenta and a green 8x8 cell
 * (the mark a reader finds on the screen), then the frame number's low
 * 16 bits as cells, white for a 1, most significant first. */
static void
draw_counter(int x, int y, uint32_t frame)
{
	fill(x, y, COUNTER_CELL, COUNTER_CELL, 0xff00ff);
	fill(x + COUNTER_CELL, y, COUNTER_CELL, COUNTER_CELL, 0x00ff00);
	for (int bit = 0; bit < 16; bit++)
		fill(x + (2 + bit) * COUNTER_CELL, y, COUNTER_CELL, COUNTER_CELL,
		     frame & (0x8000u >> bit) ? 0xffffff : 0x000000);
}

/* A 200x200 square going left and right along one band of rows, so each
 * frame changes the same 200 lines; the counter sits in the band too. */
static void
anim_square(uint32_t frame)
{
	static int x = SQUARE_MIN_X;
	static int step = SQUARE_STEP;
	if (frame == 0) {
		fill(0, 0, WIDTH, HEIGHT, 0x203040);
	} else {
		int old = x;
		if (x + step < SQUARE_MIN_X || x + step > WIDTH - SQUARE - 8)
			step = -step;
		x += step;
		/* Only the strip the square leaves goes back to the background. */
		if (step > 0)
			fill(old, SQUARE_Y, step, SQUARE, 0x203040);
		else
			fill(x + SQUARE, SQUARE_Y, -step, SQUARE, 0x203040);
	}
	fill(x, SQUARE_Y, SQUARE, SQUARE, 0xffffff);
	fill(x + 4, SQUARE_Y + 4, SQUARE - 8, SQUARE - 8, 0xe09040);
	draw_counter(8, SQUARE_Y, frame);
}

static void
anim_fill(uint32_t frame)
{
	/* Steps per channel that never bring two frames close. */
	uint32_t colour = ((frame * 37u) & 0xff) << 16 |
			  ((frame * 91u + 64) & 0xff) << 8 |
			  ((frame * 53u + 128) & 0xff);
	fill(0, 0, WIDTH, HEIGHT, colour);
	draw_counter(8, SQUARE_Y, frame);
}

/* A texture of TILE_H rows, copied to the screen a few rows further on
 * each frame. */
static uint32_t tile[TILE_H * WIDTH];

static void
anim_scroll(uint32_t frame)
{
	if (frame == 0) {
		for (uint32_t y = 0; y < TILE_H; y++)
			for (uint32_t x = 0; x < WIDTH; x++)
				tile[y * WIDTH + x] =
					((x * 2 + y) & 0xff) << 16 |
					((y * 3) & 0xff) << 8 |
					(((x / 16 + y / 16) & 1) ? 0xc0 : 0x40);
	}
	uint32_t offset = frame * SCROLL_STEP;
	for (uint32_t y = 0; y < HEIGHT; y++) {
		const uint32_t *src = &tile[((y + offset) % TILE_H) * WIDTH];
		volatile uint32_t *dst = &fb[y * WIDTH];
		for (uint32_t x = 0; x < WIDTH; x++)
			dst[x] = src[x];
	}
	draw_counter(8, SQUARE_Y, frame);
}

/* A console's text cursor: an 8x16 block on for half a second, off for
 * half a second, over the still picture; nothing else changes. */
static void
anim_blink(uint32_t frame)
{
	if (frame == 0)
		draw_picture();
	if (frame % (ANIM_FPS / 2) == 0)
		fill(32, 500, 8, 16, (frame / (ANIM_FPS / 2)) % 2 ? 0x203040 :
		     0xe0e0e0);
}

static void
anim_still(uint32_t frame)
{
	if (frame == 0)
		draw_picture();
}

/* One frame per PIT tick; IRQ 0 is the only one let through, so every
 * wake from hlt is a tick. A frame that takes longer than a tick loses
 * ticks (the PIC keeps one): the guest says how many frames it drew. */
static void
anim(void (*draw)(uint32_t frame), const char *name)
{
	set_mode(WIDTH, HEIGHT);
	pic_init(1u << 0);
	pit_init(ANIM_FPS);
	debug_print("ANIM ");
	debug_print(name);
	debug_print("\n");
	for (uint32_t frame = 0;; frame++) {
		draw(frame);
		if (frame % ANIM_FPS == ANIM_FPS - 1)
			debug_print("FRAMES 60\n");
		__asm__ volatile("sti; hlt; cli");
	}
}

static const char *
cmdline(uint32_t magic, const uint32_t *info)
{
	if (magic != 0x2badb002u || !(info[0] & (1u << 2)))
		return "";
	return (const char *)(uintptr_t)info[4];
}

/* Whether word (up to a space or the end) is one of cmdline's words. */
static bool
has_word(const char *cmdline, const char *word)
{
	for (const char *s = cmdline; *s != '\0'; s++) {
		if (s != cmdline && s[-1] != ' ')
			continue;
		const char *a = s, *b = word;
		while (*b != '\0' && *a == *b)
			a++, b++;
		if (*b == '\0' && (*a == '\0' || *a == ' '))
			return true;
	}
	return false;
}

/* -append text: the text screen. A blue page with a white-on-red title
 * row, a line in the middle and a green status row, a red block in the
 * top-left corner and a green one in the bottom-right (a flipped or
 * mirrored frame shows); the text cursor off, so nothing blinks. */
static void
text_put(int row, int col, uint8_t attr, const char *s)
{
	volatile uint16_t *t = (volatile uint16_t *)0xb8000u;
	while (*s != '\0')
		t[row * 80 + col++] = (uint16_t)(attr << 8 | (uint8_t)*s++);
}

static void
text_screen(void)
{
	volatile uint16_t *t = (volatile uint16_t *)0xb8000u;
	for (int i = 0; i < 80 * 25; i++)
		t[i] = 0x1720; /* grey on blue, blank */
	for (int col = 0; col < 80; col++) {
		t[col] = 0x4f20;
		t[24 * 80 + col] = 0x2f20;
	}
	text_put(0, 2, 0x4f, "qemu-eglview test guest: VGA text mode 80x25");
	text_put(12, 20, 0x1e, "a key press switches to 1024x768x32");
	text_put(24, 2, 0x2f, "TEXT");
	t[1 * 80 + 0] = 0x0cdb; /* full blocks: red top-left */
	t[23 * 80 + 79] = 0x0adb; /* green bottom-right */
	outb(0x3d4, 0x0a); /* cursor start register: bit 5 turns it off */
	outb(0x3d5, 0x20);
}

/* The next byte from the PS/2 controller, sleeping until it comes. */
static uint8_t
next_key_byte(void)
{
	for (;;) {
		__asm__ volatile("cli");
		if (inb(0x64) & 1)
			return inb(0x60);
		/* sti's shadow: the interrupt can only land in hlt. */
		__asm__ volatile("sti; hlt");
	}
}

/* Waits for a key press (releases and the 0xe0 prefix skipped). */
static void
wait_key_press(void)
{
	for (;;) {
		uint8_t byte = next_key_byte();
		if (byte != 0xe0 && !(byte & 0x80))
			return;
	}
}

void guest_main(uint32_t magic, const uint32_t *info);

void
guest_main(uint32_t magic, const uint32_t *info)
{
	const char *args = cmdline(magic, info);
	fb = find_framebuffer();
	if (has_word(args, "bench"))
		bench();
	if (has_word(args, "anim=square"))
		anim(anim_square, "square");
	if (has_word(args, "anim=fill"))
		anim(anim_fill, "fill");
	if (has_word(args, "anim=scroll"))
		anim(anim_scroll, "scroll");
	if (has_word(args, "anim=blink"))
		anim(anim_blink, "blink");
	if (has_word(args, "anim=still"))
		anim(anim_still, "still");
	bool latency = has_word(args, "latency");
	bool text = has_word(args, "text");
	if (text) {
		text_screen();
		pic_init(1u << 1);
		keyboard_init();
		debug_print("TEXT\n");
		wait_key_press();
	}
	set_mode(WIDTH, HEIGHT);
	draw_picture();
	if (!text) { /* keys typed after the switch key must stay queued */
		pic_init(1u << 1);
		keyboard_init();
	}
	debug_print("READY\n");

	int keys = 0;
	uint32_t prefix = 0;
	uint8_t leds = 0;
	for (;;) {
		uint32_t byte = next_key_byte();
		if (byte == 0xe0) {
			prefix = 0x80;
			continue;
		}
		uint32_t code = prefix | (byte & 0x7f);
		prefix = 0;
		if (byte & 0x80)
			continue; /* a release */
		/* latency: one square, so the key's pixels are one update. */
		if (latency)
			fill(WIDTH / 2 - 64, HEIGHT / 2 - 64, 128, 128,
			     key_colours[keys++ % 8]);
		else
			draw_key(keys++, code);
		debug_hex("KEY ", code);
		if (lock_led(code) != 0) {
			leds ^= lock_led(code);
			keyboard_send(0xed);
			keyboard_send(leds);
			debug_hex("LEDS ", leds);
		}
	}
}
