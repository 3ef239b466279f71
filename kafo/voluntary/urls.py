from django.urls import path

from . import insured_views, views

urlpatterns: list = [
    path("voluntary/", views.member_list, name="voluntary-member-list"),
    path("voluntary/join/", views.member_new, name="voluntary-member-new"),
    path("voluntary/<int:pk>/", views.member_detail, name="voluntary-member-detail"),
    path("voluntary/<int:pk>/pay/", views.member_pay, name="voluntary-member-pay"),
    path("voluntary/<int:pk>/resume/", views.member_resume, name="voluntary-member-resume"),
    # the insured person's own space: their own membership only (request.user.person)
    path("insured/voluntary/", insured_views.my_membership, name="insured-voluntary"),
    path("insured/voluntary/join/", insured_views.my_join, name="insured-voluntary-join"),
    path("insured/voluntary/pay/", insured_views.my_pay, name="insured-voluntary-pay"),
]
