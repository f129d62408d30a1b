from django.http import HttpResponse


def home(request):  # placeholder until the pages land
    return HttpResponse("")


workspace_detail = home
