/* SPDX-License-Identifier: MIT */
/*
 * Entry of the test guest, a multiboot kernel for QEMU's -kernel: the
 * multiboot header, a GDT and IDT of our own (the loader's are not ours
 * to rely on), a stack, then guest_main(). Every interrupt goes to one
 * stub that acknowledges the PIC: the main loop only needs hlt to wake.
 */
	.set MB_MAGIC, 0x1badb002
	.set MB_FLAGS, 0
	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text
	.globl _start
_start:
	cli
	movl $stack_top, %esp
	pushl %ebx /* guest_main's arguments: the multiboot information, */
	pushl %eax /* and the magic that says it is one */
	lgdt gdt_pointer
	ljmp $0x08, $reload_segments
reload_segments:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss

	/* 48 gates (exceptions and both PICs' vectors) to irq_stub. */
	movl $idt, %edi
	movl $48, %ecx
1:	movl $irq_stub, %eax
	movw %ax, (%edi)
	movw $0x08, 2(%edi)
	movw $0x8e00, 4(%edi)
	shrl $16, %eax
	movw %ax, 6(%edi)
	addl $8, %edi
	loop 1b
	lidt idt_pointer

	call guest_main
2:	cli
	hlt
	jmp 2b

	.globl irq_stub
irq_stub:
	pushl %eax
	movb $0x20, %al
	outb %al, $0xa0
	outb %al, $0x20
	popl %eax
	iret

	.section .data
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* 0x08: code, flat 4 GiB */
	.quad 0x00cf92000000ffff /* 0x10: data, flat 4 GiB */
gdt_pointer:
	.word gdt_pointer - gdt - 1
	.long gdt
idt_pointer:
	.word 48 * 8 - 1
	.long idt

	.section .bss
	.align 16
idt:
	.skip 48 * 8
stack:
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
