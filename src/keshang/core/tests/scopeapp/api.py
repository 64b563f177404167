from rest_framework import serializers

from keshang.core import services
from keshang.core.api import MaskedSerializerMixin, ScopedModelViewSet, ScopedRelatedField
from keshang.org.models import Department, User

from .models import Memo


class MemoSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    owner = ScopedRelatedField(queryset=User.objects.all())
    department = ScopedRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Memo
        fields = ["id", "title", "phone", "owner", "department"]


class MemoViewSet(ScopedModelViewSet):
    model = Memo
    serializer_class = MemoSerializer

    def create_object(self, serializer):
        return services.save_instance(actor=self.request.user, instance=Memo(), data=serializer.validated_data)

    def update_object(self, serializer):
        return services.save_instance(
            actor=self.request.user, instance=serializer.instance, data=serializer.validated_data
        )

    def delete_object(self, instance):
        services.delete_instance(actor=self.request.user, instance=instance)
