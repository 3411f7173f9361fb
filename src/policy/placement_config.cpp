#include "policy/placement_config.hpp"

#include "policy/config_names.hpp"

namespace asha {

void parse_gpus(const json& doc, const JsonPath& where, GpuSpec& gpus) {
    if (doc.contains("gpus")) {
        const json& v = doc["gpus"];
        JsonPath at = where / "gpus";
        if (v.is_string() && v.get<std::string>() == "auto")
            gpus.source = GpuSpec::Source::automatic;
        else if (v.is_string() && v.get<std::string>() == "none")
            gpus.source = GpuSpec::Source::none;
        else if (v.is_array()) {
            gpus.source = GpuSpec::Source::list;
            for (std::size_t i = 0; i < v.size(); ++i) {
                std::int64_t id = at[i].integer(v[i]);
                if (id < 0) at[i].fail_expected("a GPU index >= 0", v[i]);
                for (int seen : gpus.ids)
                    if (seen == id) at[i].fail("GPU " + std::to_string(id) + " is listed twice");
                gpus.ids.push_back(static_cast<int>(id));
            }
            if (gpus.ids.empty()) gpus.source = GpuSpec::Source::none;
        } else {
            at.fail_expected("\"auto\", \"none\" or an array of GPU indices", v);
        }
    }
    if (doc.contains("gpus_per_trial"))
        gpus.gpus_per_trial =
            static_cast<int>(positive_integer(where / "gpus_per_trial", doc["gpus_per_trial"]));
    if (doc.contains("trials_per_gpu"))
        gpus.trials_per_gpu =
            static_cast<int>(positive_integer(where / "trials_per_gpu", doc["trials_per_gpu"]));
}

BackendSpec parse_backend(const json& spec, const JsonPath& where) {
    BackendSpec b;
    if (spec.is_string()) {  // "backend": "slurm"
        b.type = choose(where, spec, kBackendNames);
        return b;
    }
    where.object(spec);
    where.check_keys(spec, {"type", "mode", "partition", "gpus_per_trial", "cpus_per_trial", "mem",
                            "time_limit", "extra_args"});
    if (spec.contains("type")) b.type = choose(where / "type", spec["type"], kBackendNames);
    if (spec.contains("mode")) b.mode = choose(where / "mode", spec["mode"], kSlurmModeNames);
    if (spec.contains("partition")) b.partition = (where / "partition").string(spec["partition"]);
    if (spec.contains("gpus_per_trial")) {
        std::int64_t n = (where / "gpus_per_trial").integer(spec["gpus_per_trial"]);
        if (n < 0)
            (where / "gpus_per_trial").fail_expected("an integer >= 0", spec["gpus_per_trial"]);
        b.gpus_per_trial = static_cast<int>(n);
    }
    if (spec.contains("cpus_per_trial"))
        b.cpus_per_trial =
            static_cast<int>(positive_integer(where / "cpus_per_trial", spec["cpus_per_trial"]));
    if (spec.contains("mem")) b.mem = (where / "mem").string(spec["mem"]);
    if (spec.contains("time_limit"))
        b.time_limit = (where / "time_limit").string(spec["time_limit"]);
    if (spec.contains("extra_args")) {
        JsonPath at = where / "extra_args";
        const json& args = at.array(spec["extra_args"]);
        for (std::size_t i = 0; i < args.size(); ++i) b.extra_args.push_back(at[i].string(args[i]));
    }
    if (b.type != BackendSpec::Type::slurm &&
        (spec.contains("mode") || spec.contains("partition") || spec.contains("gpus_per_trial") ||
         spec.contains("cpus_per_trial") || spec.contains("mem") || spec.contains("time_limit") ||
         spec.contains("extra_args")))
        where.fail(
            "these keys are for \"type\": \"slurm\"; the local backend uses the top-level "
            "gpus and gpus_per_trial");
    return b;
}

}  // namespace asha
