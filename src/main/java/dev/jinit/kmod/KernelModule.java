package dev.jinit.kmod;

import java.util.List;

/**
 * One loadable module from {@code modules.dep}.
 *
 * @param name the normalized name ({@code virtio_net}), as the kernel reports it in /proc/modules
 * @param path the file as modules.dep writes it: relative to the modules directory
 *     ({@code kernel/drivers/net/virtio_net.ko}), or absolute
 * @param dependencies the names of the modules it needs, as modules.dep lists them (depmod writes the
 *     whole transitive set, the deepest last)
 */
public record KernelModule(String name, String path, List<String> dependencies) {
    public KernelModule {
        dependencies = List.copyOf(dependencies);
    }
}
