/**
 * Reading a kernel's module index ({@code /lib/modules/VERSION/modules.dep}, {@code modules.alias},
 * {@code modules.builtin}) the way kmod's {@code modprobe} does, without loading anything: a list of
 * module names or aliases becomes the module files to load, dependencies first.
 *
 * <p>Pure parsing and resolution: the image builder uses it on the host to copy modules into an
 * initramfs, boot mode uses it in the guest to feed {@code finit_module}.
 */
package dev.jinit.kmod;
