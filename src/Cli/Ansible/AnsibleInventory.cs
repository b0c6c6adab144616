using System.Text;
using System.Text.Json;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Cli.Ansible;

/// <summary>
/// The VMs as Ansible's inventory-script format: <c>--list</c> gives every group with its hosts
/// and, under <c>_meta.hostvars</c>, every host's variables, so Ansible needs one call.
/// Groups: <c>daemonnet_host_H</c>, <c>daemonnet_network_N</c>, <c>daemonnet_state_S</c> and
/// <c>daemonnet_owner_O</c>, named in the letters, digits and underscores Ansible accepts.
/// A VM name defined on two hosts becomes <c>NAME@HOST</c> on each.
/// </summary>
internal static class AnsibleInventory
{
    public static string List(ListVmsReply reply, AddressPreference preference)
    {
        var names = InventoryNames(reply);
        var groups = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Join(string group, string host)
        {
            if (!groups.TryGetValue(group, out var hosts))
            {
                groups[group] = hosts = new SortedSet<string>(StringComparer.Ordinal);
            }
            hosts.Add(host);
        }
        foreach (var (vm, name) in reply.Vms.Zip(names))
        {
            Join(GroupName("host", vm.Host.Name), name);
            Join(GroupName("state", DomainStates.Describe(vm.State)), name);
            foreach (var network in vm.Nics.Select(n => AddressPreference.NetworkOf(n.Nic)).Where(n => n.Length > 0))
            {
                Join(GroupName("network", network), name);
            }
            if (vm.Owner.Length > 0)
            {
                Join(GroupName("owner", vm.Owner), name);
            }
        }
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("_meta");
            json.WriteStartObject("hostvars");
            foreach (var (vm, name) in reply.Vms.Zip(names))
            {
                json.WritePropertyName(name);
                WriteHostVars(json, vm, preference);
            }
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartObject("all");
            WriteStrings(json, "children", [.. groups.Keys, "ungrouped"]);
            json.WriteEndObject();
            foreach (var (group, hosts) in groups)
            {
                json.WriteStartObject(group);
                WriteStrings(json, "hosts", hosts);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        });
    }

    /// <summary>One host's variables for <c>--host NAME</c>; <c>{}</c> for a name the inventory does not have, as Ansible expects.</summary>
    public static string Host(ListVmsReply reply, string name, AddressPreference preference)
    {
        var vm = reply.Vms.Zip(InventoryNames(reply)).Where(p => p.Second == name).Select(p => p.First).FirstOrDefault();
        return Write(json =>
        {
            if (vm is null)
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }
            else
            {
                WriteHostVars(json, vm, preference);
            }
        });
    }

    /// <summary>"daemonnet_network_nat_bridge": the kind and value in lower case, anything but letters and digits as '_'.</summary>
    public static string GroupName(string kind, string value) =>
        $"daemonnet_{kind}_{string.Concat(value.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'))}";

    private static List<string> InventoryNames(ListVmsReply reply)
    {
        var repeated = reply.Vms.GroupBy(v => v.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return reply.Vms.Select(v => repeated.Contains(v.Name) ? $"{v.Name}@{v.Host.Name}" : v.Name).ToList();
    }

    private static void WriteHostVars(Utf8JsonWriter json, VmLocation vm, AddressPreference preference)
    {
        json.WriteStartObject();
        if (preference.Choose(vm) is { } address)
        {
            json.WriteString("ansible_host", address);
        }
        json.WriteString("daemonnet_vm", vm.Name);
        json.WriteString("daemonnet_uuid", vm.Uuid);
        json.WriteString("daemonnet_host", vm.Host.Name);
        json.WriteString("daemonnet_state", DomainStates.Describe(vm.State));
        json.WriteString("daemonnet_owner", vm.Owner);
        WriteStrings(json, "daemonnet_tags", vm.Tags);
        json.WriteString("daemonnet_title", vm.Title);
        WriteStrings(json, "daemonnet_macs", vm.Nics.Select(n => n.Nic.Mac));
        json.WriteStartArray("daemonnet_addresses");
        foreach (var nic in vm.Nics)
        {
            foreach (var a in nic.Addresses.Where(a => !a.OutlivesVm))
            {
                json.WriteStartObject();
                json.WriteString("ip", a.Ip);
                json.WriteString("mac", nic.Nic.Mac);
                json.WriteString("network", AddressPreference.NetworkOf(nic.Nic));
                json.WriteString("source", AddressPreference.SourceNames.FirstOrDefault(s => s.Value == a.Source).Key ?? "");
                json.WriteString("evidence", a.Evidence);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
