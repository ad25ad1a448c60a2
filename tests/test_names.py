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


def test_other_groups_use_their_first_dns_label() -> None:
    assert module_for_group("cert-manager.io", "v1") == "cert_manager_v1"
    assert module_for_group("stable.example.com", "v1beta1") == "stable_v1beta1"


def test_unique_numbers_later_duplicates_in_order() -> None:
    assert unique(["a", "b", "a", "a"]) == ["a", "b", "a_2", "a_3"]
    assert unique(["from_", "from_"]) == ["from_", "from_2"]
