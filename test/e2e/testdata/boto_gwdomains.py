"""Custom domain names, API mappings and deployments with boto3 (run by
TestGatewayDomainsWithBoto3).

usage: python3 boto_gwdomains.py ENDPOINT_URL BACKEND_URL

Creates three domain names and pages through them with boto3's
GetDomainNames paginator (page size 2), maps two stages of a quick-created
API to one of them and pages through the mappings (by NextToken), checks the modeled
exceptions boto3 raises (ConflictException, NotFoundException,
BadRequestException), updates and lists deployments, and tags a domain
name. The script asserts the answers itself and prints a JSON summary on
stdout for the Go side to call the gateway with.
"""

import json
import sys

import boto3
from botocore.config import Config

DOMAINS = ["c.example.test", "a.example.test", "b.example.test"]


def main(endpoint, backend):
    config = Config(connect_timeout=5, read_timeout=15, retries={"total_max_attempts": 1, "mode": "standard"})
    gw = boto3.client("apigatewayv2", endpoint_url=endpoint, config=config)

    for name in DOMAINS:
        d = gw.create_domain_name(
            DomainName=name,
            DomainNameConfigurations=[{"EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}],
            Tags={"owner": "boto"},
        )
        assert d["DomainName"] == name, d
        assert d["DomainNameConfigurations"][0]["ApiGatewayDomainName"] == name, d
    try:
        gw.create_domain_name(DomainName=DOMAINS[0])
        raise AssertionError("a second domain name of the same name was created")
    except gw.exceptions.ConflictException as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 409, e.response
    try:
        gw.get_domain_name(DomainName="nope.example.test")
        raise AssertionError("an unknown domain name was found")
    except gw.exceptions.NotFoundException as e:
        assert e.response["Error"]["Message"] == "Invalid domain name identifier specified", e.response

    pages = list(gw.get_paginator("get_domain_names").paginate(PaginationConfig={"PageSize": 2}))
    listed = [d["DomainName"] for p in pages for d in p["Items"]]
    assert listed == sorted(DOMAINS), listed
    assert len(pages) == 2, pages

    api = gw.create_api(Name="boto", ProtocolType="HTTP", Target=backend + "/root")
    api_id = api["ApiId"]
    gw.create_stage(ApiId=api_id, StageName="v1", AutoDeploy=True)
    for key, stage in [("", "$default"), ("v1", "v1")]:
        m = gw.create_api_mapping(DomainName="a.example.test", ApiId=api_id, Stage=stage, ApiMappingKey=key)
        assert m["Stage"] == stage and m["ApiMappingKey"] == key, m
    try:
        gw.create_api_mapping(DomainName="a.example.test", ApiId=api_id, Stage="nope", ApiMappingKey="x")
        raise AssertionError("a mapping to an unknown stage was created")
    except gw.exceptions.NotFoundException:
        pass
    try:
        gw.create_api_mapping(DomainName="a.example.test", ApiId=api_id, Stage="v1", ApiMappingKey="/v2")
        raise AssertionError("a key with a leading slash was accepted")
    except gw.exceptions.BadRequestException:
        pass
    # GetApiMappings has no paginator: follow NextToken by hand.
    mappings, token = [], None
    while True:
        page = gw.get_api_mappings(DomainName="a.example.test", MaxResults="1", **({"NextToken": token} if token else {}))
        mappings += page["Items"]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(m["ApiMappingKey"] for m in mappings) == ["", "v1"], mappings

    stage = gw.get_stage(ApiId=api_id, StageName="v1")
    auto = stage["DeploymentId"]
    d = gw.get_deployment(ApiId=api_id, DeploymentId=auto)
    assert d["AutoDeployed"] and d["DeploymentStatus"] == "DEPLOYED", d
    explicit = gw.create_deployment(ApiId=api_id, Description="by boto")["DeploymentId"]
    gw.update_deployment(ApiId=api_id, DeploymentId=explicit, Description="renamed")
    deployments = {d["DeploymentId"]: d for d in gw.get_deployments(ApiId=api_id)["Items"]}
    assert deployments[explicit]["Description"] == "renamed" and not deployments[explicit]["AutoDeployed"], deployments
    gw.delete_deployment(ApiId=api_id, DeploymentId=explicit)
    try:
        gw.delete_deployment(ApiId=api_id, DeploymentId=auto)
        raise AssertionError("a deployment a stage uses was deleted")
    except gw.exceptions.BadRequestException:
        pass

    arn = "arn:aws:apigateway:us-east-1::/domainnames/a.example.test"
    gw.tag_resource(ResourceArn=arn, Tags={"env": "test"})
    gw.untag_resource(ResourceArn=arn, TagKeys=["owner"])
    tags = gw.get_tags(ResourceArn=arn)["Tags"]
    assert tags == {"env": "test"}, tags

    json.dump({"api_id": api_id, "domain": "a.example.test", "domains": listed}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
