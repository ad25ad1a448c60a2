import pytest

from kubeforge.names import ClassName, PythonName, module_for_group, unique


def test_camel_case_becomes_snake_case_with_acronyms_kept_whole() -> None:
    assert PythonName("apiVersion") == "api_version"
    assert PythonName("podIPs") == "pod_ips"
    assert PythonName("hostIPC") == "host_ipc"
    assert PythonName("targetCPUUtilizationPercentage") == "target_cpu_utilization_percentage"
    assert PythonName("nonResourceURLs") == "non_resource_urls"


def test_keywords_and_shadowing_names_get_a_trailing_underscore() -> None:
    for wire in ("from", "continue", "not", "except", "self", "int", "bool"):
        assert PythonName(wire) == wire + "_"


def test_symbols_are_dropped_or_become_underscores() -> None:
    assert PythonName("$ref") == "ref"
    assert PythonName("$schema") == "schema"
    assert PythonName("x-kubernetes-list-type") == "x_kubernetes_list_type"
    assert PythonName("a.b/c") == "a_b_c"
    assert PythonName("9lives") == "f_9lives"
    assert PythonName("---") == "field"


def test_class_names_are_pascal_case_identifiers() -> None:
    assert ClassName("Pod") == "Pod"
    assert ClassName("foo-bar.baz") == "FooBarBaz"
    assert ClassName("1thing") == "M1thing"
    assert ClassName("class") == "Class"


@pytest.mark.parametrize(
    ("group", "version", "module"),
    [
        ("", "v1", "core_v1"),
        ("apps", "v1", "apps_v1"),
        ("rbac.authorization.k8s.io", "v1", "rbac_v1"),
        ("internal.apiserver.k8s.io", "v1alpha1", "apiserverinternal_v1alpha1"),
        ("metrics.k8s.io", "v1beta1", "metrics_v1beta1"),
        ("cert-manager.io", "v1", "cert_manager_v1"),
        ("networking.istio.io", "v1alpha3", "networking_istio_v1alpha3"),
        ("extensions.istio.io", "v1alpha1", "extensions_istio_v1alpha1"),
        ("k8s.nginx.org", "v1", "k8s_nginx_v1"),
        ("gateway.networking.k8s.io", "v1", "gateway_networking_v1"),
        ("cluster.x-k8s.io", "v1beta1", "cluster_v1beta1"),
        ("stable.example.com", "v1beta1", "stable_example_v1beta1"),
        ("monitoring.coreos.com", "v1", "monitoring_coreos_v1"),
        ("apps.io", "v1", "apps_io_v1"),  # not to be read as Kubernetes' apps
        ("core.example.com", "v1", "core_example_v1"),
        ("3scale.net", "v1", "f_3scale_v1"),
    ],
)
def test_modules_are_named_from_the_group_alone(group: str, version: str, module: str) -> None:
    assert module_for_group(group, version) == module


def test_unique_numbers_later_duplicates_in_order() -> None:
    assert unique(["a", "b", "a", "a"]) == ["a", "b", "a_2", "a_3"]
    assert unique(["from_", "from_"]) == ["from_", "from_2"]
