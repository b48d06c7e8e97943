/* SPDX-License-Identifier: MIT */
/*
 * The test guest: sets a 1024x768x32 Bochs VBE mode (QEMU -vga std), draws
 * a fixed picture, and echoes every key from the PS/2 controller as a cell
 * in a row along the bottom: a colour for the key and its 8-bit code
 * (XT set 1, 0xe0 XX shown as 0x80|XX, QEMU's qnum) as squares, white for
 * a 1 bit, most significant first. Progress goes to the debug port 0xe9
 * (QEMU -debugcon): "READY" once the picture is up, "KEY 0xNN" per cell,
 * so a test knows what the screen should show by now. With "bench" on
 * its command line (-append bench) it repaints a 1920x1080 screen instead.
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

static void
draw_key(int n, uint32_t code)
{
	static const uint32_t colours[8] = {
		0xe04040, 0x40e040, 0x4040e0, 0xe0e040,
		0xe040e0, 0x40e0e0, 0xe09040, 0x9040e0,
	};
	int x = CELLS_X + (n % CELLS_PER_ROW) * CELL_W;
	int y = CELLS_Y + (n / CELLS_PER_ROW % 4) * (CELL_H + 8);
	fill(x, y, CELL_W - 8, CELL_H, 0x000000);
	fill(x, y, CELL_W - 8, 24, colours[code % 8]);
	for (int bit = 0; bit < 8; bit++)
		fill(x + 1 + bit * 6, y + 28, 5, 8,
		     code & (0x80u >> bit) ? 0xffffff : 0x303030);
}

static void
keyboard_init(void)
{
	/* Only IRQ 1 (the keyboard), on vectors 0x20..0x2f. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xfd);
	outb(0xa1, 0xff);
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

static bool
cmdline_says_bench(uint32_t magic, const uint32_t *info)
{
	if (magic != 0x2badb002u || !(info[0] & (1u << 2)))
		return false;
	const char *s = (const char *)(uintptr_t)info[4];
	for (; *s != '\0'; s++)
		if (s[0] == 'b' && s[1] == 'e' && s[2] == 'n' && s[3] == 'c' &&
		    s[4] == 'h')
			return true;
	return false;
}

void guest_main(uint32_t magic, const uint32_t *info);

void
guest_main(uint32_t magic, const uint32_t *info)
{
	fb = find_framebuffer();
	if (cmdline_says_bench(magic, info))
		bench();
	set_mode(WIDTH, HEIGHT);
	draw_picture();
	keyboard_init();
	debug_print("READY\n");

	int keys = 0;
	uint32_t prefix = 0;
	for (;;) {
		__asm__ volatile("cli");
		if (!(inb(0x64) & 1)) {
			/* sti's shadow: the interrupt can only land in hlt. */
			__asm__ volatile("sti; hlt");
			continue;
		}
		uint32_t byte = inb(0x60);
		if (byte == 0xe0) {
			prefix = 0x80;
			continue;
		}
		uint32_t code = prefix | (byte & 0x7f);
		prefix = 0;
		if (byte & 0x80)
			continue; /* a release */
		draw_key(keys++, code);
		debug_hex("KEY ", code);
	}
}
