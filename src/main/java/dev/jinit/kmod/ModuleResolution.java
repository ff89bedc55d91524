package dev.jinit.kmod;

import java.util.List;

/**
 * What a list of requested modules comes to.
 *
 * @param load the module files to load, each after every module it depends on, none twice
 * @param builtin the requested modules that are built into the kernel (present already: nothing to load)
 */
public record ModuleResolution(List<KernelModule> load, List<String> builtin) {
    public ModuleResolution {
        load = List.copyOf(load);
        builtin = List.copyOf(builtin);
    }
}
