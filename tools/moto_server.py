"""moto's server, with two gaps in its EKS tagging filled.

moto (the AWS emulator the tests run against) tags only EKS clusters:
TagResource, UntagResource and ListTagsForResource answer "not found" for
node group and Fargate profile ARNs, which real EKS tags like any other
resource. And UntagResource removes only the first of the keys it is given
(it reads one `tagKeys` query parameter where the request repeats it).
fargate_cluster updates the tags of its node groups and profiles in place,
so the tests need the real behaviour. Everything else is moto's own code,
unchanged; the arguments are moto_server's.
"""

from moto.core.responses import EmptyResult
from moto.eks import models as eks
from moto.eks import responses as eks_responses
from moto.server import main


def _find(backend, arn):
    for cluster in backend.clusters.values():
        if cluster.arn == arn:
            return cluster
        for ng in cluster.nodegroups.values():
            if ng.arn == arn:
                return ng
        for fp in cluster.fargate_profiles.values():
            if fp.fargate_profile_arn == arn:
                return fp
    raise eks.ResourceNotFoundException(
        clusterName=None, nodegroupName=None, fargateProfileName=None, addonName=None,
        message="Resource was not found",
    )


def tag_resource(self, resource_arn, tags):
    _find(self, resource_arn).tags.update(tags)


def untag_resource(self, resource_arn, tag_keys):
    obj = _find(self, resource_arn)
    for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
        obj.tags.pop(key, None)


def list_tags_for_resource(self, resource_arn):
    return _find(self, resource_arn).tags


def untag_resource_response(self):
    keys = self.querystring.get("tagKeys") or []
    self.eks_backend.untag_resource(self._extract_arn_from_path(), keys)
    return EmptyResult()


eks_responses.EKSResponse.untag_resource = untag_resource_response
eks.EKSBackend.tag_resource = tag_resource
eks.EKSBackend.untag_resource = untag_resource
eks.EKSBackend.list_tags_for_resource = list_tags_for_resource

if __name__ == "__main__":
    main()
